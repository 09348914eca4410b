"""Dependencies: every one bounded above, and requirements.lock agrees with pyproject and this environment."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _lock_tool():
    spec = importlib.util.spec_from_file_location("tisheng_lock_tool", ROOT / "tools" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        names += extra
    return [Requirement(r) for r in names]


def test_every_dependency_has_an_upper_bound():
    unbounded = [str(r) for r in _declared() if not any(s.operator in ("<", "<=", "==", "~=") for s in r.specifier)]
    assert not unbounded, f"add an upper bound (the tested minor version) to: {unbounded}"


def test_the_lock_satisfies_pyproject_and_covers_every_dependency():
    lock = _lock_tool().read_lock()
    for req in _declared():
        name = canonicalize_name(req.name)
        if name == "pyinstaller":              # the build extra: not installed where the lock is made
            continue
        assert name in lock, f"{req.name} is declared in pyproject.toml but not pinned in requirements.lock"
        assert req.specifier.contains(lock[name], prereleases=True), \
            f"requirements.lock pins {name}=={lock[name]}, outside pyproject's {req.specifier}"


def test_the_lock_is_what_is_installed():
    """The suite runs on the locked versions; after upgrading, run it and then `python tools/lock.py`."""
    tool = _lock_tool()
    diff = tool.differences()
    assert not diff, "this environment differs from requirements.lock:\n" + "\n".join(diff)
    assert set(tool.closure()) == set(tool.read_lock()), "requirements.lock is stale: run python tools/lock.py"


def test_a_drifted_environment_is_named():
    tool = _lock_tool()
    diff = tool.differences({"openpyxl": "0.0.1", "no-such-package-here": "1.0"})
    from importlib import metadata
    assert diff[0] == f"openpyxl: locked 0.0.1, installed {metadata.version('openpyxl')}"
    assert diff[1] == "no-such-package-here: locked 1.0, not installed"
