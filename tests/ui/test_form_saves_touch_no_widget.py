"""Every form's save runs on a worker thread (FormDialog, JobFormDialog) and must touch no widget there.

Each FormDialog subclass in app/ is built (with a recording stand-in for the facades), given a
guard that records any widget reached from a thread other than the GUI thread (a QObject
attribute, a Qt method, or FormDialog's own widget helpers such as `field()`/`values()`), and
saved through its real 保存 path. A new form must be added to FORMS, or the completeness test fails.
"""

import importlib
import pkgutil
import threading
from datetime import date
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QObject

import app.ui
from app.ui import jobs
from app.ui.widgets.form_dialog import FormDialog


class _Facade:
    def __init__(self, calls: list, name: str) -> None:
        self._calls, self._name = calls, name

    def __getattr__(self, method: str):
        def call(*args, **kwargs):
            self._calls.append((f"{self._name}.{method}", args, kwargs))
            return None
        return call


class FakeApi:
    """Records every facade call a save makes (no database: only the threads matter here)."""

    def __init__(self) -> None:
        self.calls: list = []

    def __getattr__(self, name: str):
        return _Facade(self.calls, name)


class Row(SimpleNamespace):
    """A stand-in DTO: any field a form shows reads as empty."""

    def __getattr__(self, name: str):
        return None if name.endswith("_on") or name.endswith("_date") else ""


TEACHERS = [SimpleNamespace(id=7, name="王芳", subject="数学", staff_no="", status="在岗")]
RULES = SimpleNamespace(category_keys=["网络研修"], practice_keys=["校本实践"], record_max=50)
PACK = SimpleNamespace(document=SimpleNamespace(rules=RULES, activity_kinds=["送教下乡"], teachers=TEACHERS))


SUPPORT = "app.ui.assessment.support_dialogs"
TEAMS, SCHOOL, HOURS, PACKS = ("app.ui.teams.team_dialogs", "app.ui.school.school_forms",
                               "app.ui.hours.hours_dialogs", "app.ui.pack.pack_dialogs")

# class name → (module, build(cls, api) -> the dialog)
FORMS = {
    "OpenSupportDialog": (SUPPORT, lambda cls, api: cls(None, api, 7, "王芳", helpers=["李老师"],
                                                         failed_points=("A1",))),
    "CloseSupportDialog": (SUPPORT, lambda cls, api: cls(None, api, 7, "王芳", current_result="不合格",
                                                          passing=["合格"])),
    "TeamDialog": (TEAMS, lambda cls, api: cls(api)),
    "MemberDialog": (TEAMS, lambda cls, api: cls(api, Row(id=3, name="校级管理团队", kind="校级管理团队"), TEACHERS)),
    "GroupDialog": (TEAMS, lambda cls, api: cls(api, TEACHERS)),
    "SchoolForm": (SCHOOL, lambda cls, api: cls(api, Row(id=1, environment="混合"))),
    "TeachingPointDialog": (SCHOOL, lambda cls, api: cls(api)),
    "HoursDialog": (HOURS, lambda cls, api: cls(api, TEACHERS, ["网络研修"], teacher_id=7)),
    "ActivityDialog": (HOURS, lambda cls, api: cls(api, TEACHERS, ["网络研修"])),
    "CourseDialog": (HOURS, lambda cls, api: cls(api, TEACHERS, ["网络研修"])),
    "TeacherDialog": ("app.ui.teachers.teacher_dialog", lambda cls, api: cls(api)),
    "PlanDialog": ("app.ui.plans.plan_dialog", lambda cls, api: cls(api)),
    "PackHoursDialog": (PACKS, lambda cls, api: cls(PACK, TEACHERS[0], "教学点")),
    "PackActivityDialog": (PACKS, lambda cls, api: cls(PACK, [7], "教学点")),
}


BASES = {"JobFormDialog"}        # a base whose save_work only raises NotImplementedError


def _form_classes() -> set[str]:
    for info in pkgutil.walk_packages(app.ui.__path__, "app.ui."):
        importlib.import_module(info.name)
    found, todo = set(), [FormDialog]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("app.") and ("save" in vars(sub) or "save_work" in vars(sub)) \
                    and sub.__name__ not in BASES:
                found.add(sub.__name__)
    return found


def test_every_form_of_the_app_is_checked():
    assert _form_classes() == set(FORMS)


def _guarded(cls, violations: list):
    """`cls` whose instances record widget access from any thread but the GUI thread."""
    gui = threading.main_thread()

    def __getattribute__(self, name):
        value = object.__getattribute__(self, name)
        if threading.current_thread() is gui or name.startswith("__"):
            return value
        func = getattr(value, "__func__", None)
        owner = getattr(value, "__self__", None)
        if isinstance(value, QObject) or name == "_fields":
            violations.append(f"{cls.__name__}.{name} (a widget)")
        elif owner is self and func is None:
            violations.append(f"{cls.__name__}.{name}() (a Qt method)")
        elif owner is self and func.__qualname__.split(".")[0] in ("FormDialog", "JobFormDialog", "QDialog"):
            violations.append(f"{cls.__name__}.{name}() (reads the form's widgets)")
        return value

    return type(f"Guarded{cls.__name__}", (cls,), {"__getattribute__": __getattribute__})


@pytest.mark.parametrize("name", sorted(FORMS))
def test_save_reads_only_the_values_on_its_worker_thread(name, qtbot, monkeypatch):
    api = FakeApi()
    from app.ui.pack import pack_dialogs
    monkeypatch.setattr(pack_dialogs, "collect", _Facade(api.calls, "collect"))
    module, build = FORMS[name]
    violations: list[str] = []
    dialog = build(_guarded(getattr(importlib.import_module(module), name), violations), api)
    qtbot.addWidget(dialog)
    # Validation is not what this test is about: the values as they stand are saved.
    monkeypatch.setattr(dialog, "confirmed_values", lambda: FormDialog.values(dialog) | dialog.values())
    saved: list = []
    dialog.saved.connect(saved.append)
    dialog._on_save_clicked()
    assert jobs.wait_idle(10000)
    assert api.calls, f"{name}: its save never reached a facade"
    assert violations == [], f"{name} touched widgets off the GUI thread: {violations}"


def test_support_forms_save_the_chosen_point_and_result(qtbot):
    from app.ui.assessment.support_dialogs import CloseSupportDialog, OpenSupportDialog
    api = FakeApi()
    opened = OpenSupportDialog(None, api, 7, "王芳", helpers=["李老师"], failed_points=("A1", "B2"))
    qtbot.addWidget(opened)
    opened.field("helper").setEditText("李老师")
    opened.field("point").setCurrentIndex(1)             # B2
    opened._on_save_clicked()
    closing = CloseSupportDialog(None, api, 7, "王芳", current_result="不合格", passing=["合格", "良好"])
    qtbot.addWidget(closing)
    closing._on_save_clicked()                           # 按复评等级自动得出
    assert jobs.wait_idle(10000)
    (_, _, opened_kw), (_, _, closed_kw) = api.calls
    assert opened_kw["point_code"] == "B2" and opened_kw["helper"] == "李老师"
    assert closed_kw["new_result"] is None
