"""Imports flow one way: app/ui → app/services → app/models, checked over the whole app/ tree.

* app/ui never imports sqlmodel, sqlalchemy or app.models (it gets DTOs from services);
* app/services and app/models never import PySide6; app/models imports no services or ui;
* the shared core (app/*.py: errors, paths, resources …) imports no Qt, no ORM and no upper layer;
* every .py file under app/ falls under exactly one rule, so a new folder cannot slip past.
Relative imports are resolved, and `importlib.import_module("…")` with a literal is checked too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

RULES: dict[str, set[str]] = {
    "app/ui": {"sqlmodel", "sqlalchemy", "app.models"},
    "app/services": {"PySide6", "app.ui"},
    "app/models": {"PySide6", "app.ui", "app.services"},
    "app/cli": {"PySide6", "sqlmodel", "sqlalchemy"},
    "app": {"PySide6", "sqlmodel", "sqlalchemy", "app.ui", "app.services", "app.models"},   # app/*.py only
}


def rule_for(py: Path) -> str:
    rel = py.relative_to(ROOT).as_posix()
    for folder in ("app/ui", "app/services", "app/models", "app/cli"):
        if rel.startswith(folder + "/"):
            return folder
    if py.parent == APP:
        return "app"
    raise AssertionError(f"{rel} is not covered by any layering rule; add its folder to RULES")


def module_name(py: Path) -> str:
    parts = list(py.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(py: Path) -> list[tuple[int, str]]:
    return imported_names_in(py.read_text(encoding="utf-8"), module_name(py), is_package=py.name == "__init__.py")


def imported_names_in(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module a source text imports, relative imports resolved against `module`."""
    package = module if is_package else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            out += [(node.lineno, f"{target}.{a.name}") for a in node.names]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            out.append((node.lineno, node.args[0].value))
    return out


def hits_in(names: list[tuple[int, str]], banned: set[str]) -> list[str]:
    return [f"line {line}: {name}" for line, name in names
            for b in banned if name == b or name.startswith(b + ".")]


ALL_FILES = sorted(APP.rglob("*.py"))


def test_every_file_is_covered():
    assert ALL_FILES, "no app/ sources found"
    for py in ALL_FILES:
        rule_for(py)


@pytest.mark.parametrize("folder", sorted(RULES))
def test_no_forbidden_imports(folder):
    files = [py for py in ALL_FILES if rule_for(py) == folder]
    assert files, f"no files under {folder}"
    hits = [f"{py.relative_to(ROOT)} {h}" for py in files for h in hits_in(imported_names(py), RULES[folder])]
    assert not hits, "layering broken:\n" + "\n".join(hits)


def test_checker_catches_violations():
    """The checker itself: plain, from-, relative and import_module imports are all caught."""
    source = ("import sqlmodel\nfrom sqlalchemy import func\nfrom ...models.teacher import Teacher\n"
              "from . import sibling\nimport importlib\nimportlib.import_module('app.models.plan')\n")
    names = imported_names_in(source, "app.ui.widgets.probe")
    hits = hits_in(names, RULES["app/ui"])
    assert len([h for h in hits if "sqlmodel" in h]) == 1
    assert any("sqlalchemy" in h for h in hits)
    assert any(h.endswith("app.models.teacher") for h in hits)
    assert any(h.endswith("app.models.plan") for h in hits)
    assert ("app.ui.widgets.sibling" in {n for _l, n in names}) and not any("sibling" in h for h in hits)
    assert hits_in(imported_names_in("from app.services import teachers\n", "app.ui.x"), RULES["app/ui"]) == []


def test_module_names():
    assert module_name(APP / "ui" / "widgets" / "x.py") == "app.ui.widgets.x"
    assert module_name(APP / "ui" / "__init__.py") == "app.ui"


# ---------------------------------------------------------------- the window reaches data only through jobs
#
# Every call from app/ui to an app.services operation, or to a facade (app.ui.facades), must
# sit inside a work function handed to the job runner (app.ui.jobs): a lambda or def passed
# as the work argument of run_in_background / run_with_progress / Job / page_kit.run, or of
# a helper that passes its own parameter on to one of them (Page.load, a page's _write …),
# or a function such a work function calls. Outside them app/ui may use what services
# define only as values: DTO classes, constants, and the pure helpers listed in PURE.

UI = APP / "ui"
RUNNERS: dict[str, int] = {"run_in_background": 1, "run_with_progress": 1, "Job": 0}   # name -> work argument
WORK_KEYWORDS = ("fn", "work")
FACADE_MODULE = UI / "facades.py"
CONTROLLER = UI / "controller.py"
# Service functions the GUI thread may call: they compute from values in hand (no database,
# no user's files), or read the app's own packaged data.
PURE = {
    "app.services.bundle.destination.human_size", "app.services.excel.cells.format_plain",
    "app.services.fileio.describe_os_error", "app.services.validation.id_number.check_char",
    "app.services.validation.validate_hours", "app.services.validation.validate_phone",
    "app.services.school.validate_school_fields", "app.services.teachers.validate_teacher_fields",
    "app.services.choices.outside_environment_reason", "app.services.matrix.count",
    "app.services.matrix.filter_rows", "app.services.matrix.rule_summary", "app.services.review_queue.filter_queue",
    "app.services.review_queue.hidden_from", "app.services.review_queue.hidden_text",
    "app.services.drives.drive_kind", "app.services.drives.order_drives", "app.services.drives.usable",
    "app.services.programmes.adjust.rule_views", "app.services.programmes.fields.form_of",
    "app.services.district_presets.preset_for_district", "app.services.district.register.check_typed",
    "app.services.excel.error_workbook.default_path",
    # packaged, read-only data (the programme presets and their source documents)
    "app.services.programmes.load_preset", "app.services.programmes.list_presets",
    "app.services.programmes.preset_ids", "app.services.programmes.presets.source_text",
    # the runner builds the Progress it hands to work functions; the log file opens at start-up
    "app.services.progress.Progress", "app.services.logfile.QuietFileHandler",
}
# The controller opens and lets go of data folders between windows, on the GUI thread: the
# start-up checks and the lock decide what the user is asked next (another instance, a
# damaged database). Only these of its functions may call services directly.
CONTROLLER_GUI_THREAD = {"_open_workspace", "_close_ws", "_adopt", "start", "close", "_on_backup_timer",
                         "_on_window_closed", "_show_window"}
FORBIDDEN_ATTRIBUTES = {"engine", "sessions", "session", "store", "path_for"}     # the database and the store
WORKSPACE_ATTRIBUTES = {"ws", "_ws", "workspace"}                                   # widgets hold facades


def _ui_sources() -> dict[Path, ast.Module]:
    return {py: ast.parse(py.read_text(encoding="utf-8")) for py in sorted(UI.rglob("*.py"))}


def _facade_operations() -> set[str]:
    from app.ui.facades import Facades
    return {name for facade in Facades.areas().values() for name in facade.operations()}


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Attribute):
        if f.attr == "run" and isinstance(f.value, ast.Name) and f.value.id == "page_kit":
            return "page_kit.run"
        return f.attr
    return f.id if isinstance(f, ast.Name) else ""


def _work_argument(node: ast.Call, runners: dict[str, int]):
    index = runners.get(_call_name(node))
    if index is None:
        return None
    for kw in node.keywords:
        if kw.arg in WORK_KEYWORDS:
            return kw.value
    return node.args[index] if len(node.args) > index else None


def _params(fn) -> list[str]:
    names = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    return names[1:] if names[:1] == ["self"] else names


def _calls_name(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name for n in ast.walk(node))


def _runners(trees) -> dict[str, int]:
    """The runners and every helper that hands one of its parameters on to a runner as the work."""
    runners = dict(RUNNERS, **{"page_kit.run": 1})
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for fn in ast.walk(tree):
                if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.name in runners:
                    continue
                params = _params(fn)
                for call in ast.walk(fn):
                    arg = _work_argument(call, runners) if isinstance(call, ast.Call) else None
                    handed = [p for p in params if (isinstance(arg, ast.Name) and arg.id == p)
                              or (isinstance(arg, ast.Lambda) and _calls_name(arg, p))]
                    if handed:
                        runners[fn.name] = params.index(handed[0])
                        changed = True
                        break
    return runners


def _work_nodes(trees, runners) -> set[int]:
    """ids of the lambda and def nodes that run as work functions (with what they call, by name)."""
    defs: dict[str, list] = {}
    for tree in trees.values():
        for n in ast.walk(tree):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defs.setdefault(n.name, []).append(n)
    work: set[int] = set()
    todo = []
    for tree in trees.values():
        for call in ast.walk(tree):
            arg = _work_argument(call, runners) if isinstance(call, ast.Call) else None
            if isinstance(arg, ast.Lambda):
                todo.append(arg)
            elif isinstance(arg, ast.Name):
                todo += defs.get(arg.id, [])
            elif isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "self":
                todo += defs.get(arg.attr, [])
    while todo:
        node = todo.pop()
        if id(node) in work:
            continue
        work.add(id(node))
        for call in ast.walk(node):            # what a work function calls is work too
            if isinstance(call, ast.Call):
                f = call.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) and \
                    isinstance(f.value, ast.Name) and f.value.id == "self" else None
                if name is not None and name not in runners:
                    todo += defs.get(name, [])
    return work


def _chain(node: ast.AST) -> list[str]:
    out = []
    while isinstance(node, ast.Attribute):
        out.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        out.append(node.id)
    return out[::-1]


def _service_bindings(tree: ast.Module) -> dict[str, str]:
    """local name -> dotted app.services target, for every import of app.services in the module."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app.services"):
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("app.services"):
                    out[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
    return out


def _resolve(dotted: str):
    import importlib
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for p in parts[i:]:
                obj = getattr(obj, p)
        except AttributeError:
            return None
        return obj
    return None


def _is_value(obj) -> bool:
    """A DTO class, an error, an enum or a constant: fine anywhere."""
    import dataclasses
    import enum
    import inspect
    if inspect.ismodule(obj) or not callable(obj):
        return True
    return inspect.isclass(obj) and (dataclasses.is_dataclass(obj) or issubclass(obj, (Exception, enum.Enum))
                                     or (issubclass(obj, tuple) and hasattr(obj, "_fields")))


def _enclosing_functions(tree: ast.Module) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}

    def visit(node, stack):
        for child in ast.iter_child_nodes(node):
            inner = stack + [child.name] if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else stack
            names[id(child)] = inner
            visit(child, inner)
    visit(tree, [])
    return names


def gui_thread_service_calls(trees: dict[Path, ast.Module] | None = None) -> list[str]:
    """Every place in app/ui that reaches the data outside a work function (see above)."""
    import inspect
    trees = trees if trees is not None else _ui_sources()
    runners = _runners(trees)
    work = _work_nodes(trees, runners)
    ops = _facade_operations()
    found = []
    for py, tree in trees.items():
        rel = py.relative_to(ROOT).as_posix() if py.is_relative_to(ROOT) else py.name
        bindings = _service_bindings(tree)
        inside: set[int] = set()
        for n in ast.walk(tree):
            if id(n) in work:
                inside.update(id(x) for x in ast.walk(n))
        functions = _enclosing_functions(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
                found.append(f"{rel}:{node.lineno}: .{node.attr} (the database or the store, directly)")
            if isinstance(node, ast.Attribute) and node.attr in WORKSPACE_ATTRIBUTES and py not in (FACADE_MODULE,
                                                                                                   CONTROLLER):
                found.append(f"{rel}:{node.lineno}: .{node.attr} (a widget holds facades, not the Workspace)")
            if py == FACADE_MODULE or id(node) in inside:
                continue
            if py == CONTROLLER and set(functions.get(id(node), [])) & CONTROLLER_GUI_THREAD:
                continue
            if isinstance(node, ast.Call):
                chain = _chain(node.func)
                if "api" in chain[:-1] or "_api" in chain[:-1]:
                    found.append(f"{rel}:{node.lineno}: {'.'.join(chain)}() outside a work function")
                elif isinstance(node.func, ast.Attribute) and node.func.attr in ops:
                    found.append(f"{rel}:{node.lineno}: .{node.func.attr}() (a facade operation) outside a work "
                                 "function")
            if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(getattr(node, "ctx", None), ast.Load):
                chain = _chain(node)
                if not chain or chain[0] not in bindings:
                    continue
                if isinstance(node, ast.Name) and len(chain) == 1:
                    dotted = bindings[chain[0]]
                elif isinstance(node, ast.Attribute):
                    dotted = ".".join([bindings[chain[0]], *chain[1:]])
                else:
                    continue
                parent_is_attr = False
                for parent in ast.walk(tree):
                    if isinstance(parent, ast.Attribute) and parent.value is node:
                        parent_is_attr = True
                        break
                if parent_is_attr or dotted in PURE:
                    continue
                prefixes = [_resolve(".".join([bindings[chain[0]], *chain[1:i]])) for i in range(1, len(chain))]
                if any(p is not None and not callable(p) and not inspect.ismodule(p) for p in prefixes):
                    continue                     # a method of a constant table (SEVERITY_LABEL.get)
                obj = _resolve(dotted)
                if obj is not None and not _is_value(obj):
                    found.append(f"{rel}:{node.lineno}: {dotted} used outside a work function")
    return sorted(set(found))


def test_the_window_reaches_data_only_through_the_job_runner():
    found = gui_thread_service_calls()
    assert not found, ("call services and facades only inside work functions handed to app.ui.jobs:\n"
                       + "\n".join(found))


def test_the_job_runner_check_finds_each_way_round_it(tmp_path):
    source = '''
from app.services import teachers
from app.services.teachers import list_teachers, TeacherRow
from app.ui import jobs

class P:
    def refresh(self):
        rows = list_teachers(self.api)                          # a service on the GUI thread
        self.api.teachers.list_teachers()                       # a facade on the GUI thread
        facade = self.api.teachers
        facade.remove_teacher(3)                                # a facade under another name
        self._call(teachers.remove_teacher, 3)                  # handed over, not through the runner
        row = TeacherRow                                        # a DTO class: fine
        jobs.run_in_background(self, lambda ctx: self.api.teachers.list_teachers(), on_done=self.fill)
        self.load(lambda ctx: teachers.list_teachers(ctx))      # through a helper that runs its argument
        jobs.run_in_background(self, self._work, on_done=lambda rows: self.api.teachers.list_teachers())

    def load(self, work, fill=None):
        return jobs.run_in_background(self, work, on_done=fill)

    def _work(self, ctx):
        return self._read()

    def _read(self):
        return self.api.teachers.list_teachers()                # called by a work function: fine

    def fill(self, rows):
        self.ws.engine                                          # the workspace and its engine
'''
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    found = gui_thread_service_calls({probe: ast.parse(source)})
    lines = sorted({int(f.split(":")[1]) for f in found})
    assert lines == [8, 9, 11, 12, 16, 28], found


def test_every_facade_operation_exists_and_takes_the_workspace():
    import inspect

    from app.ui.facades import Facades
    for area, facade in Facades.areas().items():
        for name, op in facade.operations().items():
            fn = op.resolve()
            assert callable(fn), f"{area}.{name} -> {op.target}"
            if op.first:
                first = next(iter(inspect.signature(fn).parameters))
                assert first in ("ws", "target", "paths"), f"{area}.{name}: {op.target} takes {first} first"
