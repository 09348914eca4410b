"""Write or check requirements.lock: the exact versions the tests ran on.

    python tools/lock.py            # after the whole suite passed: pin what is installed
    python tools/lock.py --check    # exit 1 (naming each difference) if the environment differs

The lock holds every package tisheng and its test extra need, found by walking the
installed distributions' requirements from pyproject.toml (markers evaluated for this
platform), each as `name==version`. The installer builds install with it as a constraints
file (`pip install -c requirements.lock ...`: a package only Windows needs is still resolved
there), and installer/tisheng.spec refuses to freeze an environment that differs from it.
Extras that are not installed here (the build extra's PyInstaller) are left out.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
EXTRAS = ("test",)
HEADER = ("# The exact versions the whole test suite passed on (Python {python}, {platform}).\n"
          "# Written by `python tools/lock.py`; used as a constraints file by the installer builds:\n"
          "#   python -m pip install -c requirements.lock -e \".[test,build]\"\n")


def top_level() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in EXTRAS:
        names += project["optional-dependencies"][extra]
    return [Requirement(r) for r in names]


def _applies(req: Requirement, extras: frozenset[str]) -> bool:
    if req.marker is None:
        return True
    env = default_environment()
    return any(req.marker.evaluate({**env, "extra": e}) for e in (extras or {""}))


def closure() -> dict[str, str]:
    """canonical name -> installed version, for every package the app and its tests pull in."""
    found: dict[str, str] = {}
    todo = [(r, frozenset(r.extras)) for r in top_level()]
    while todo:
        req, extras = todo.pop()
        if not _applies(req, frozenset()):
            continue
        name = canonicalize_name(req.name)
        if name in found:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise SystemExit(f"{req.name} is required but not installed; install the test extra first") from None
        found[name] = dist.version
        for raw in dist.requires or []:
            sub = Requirement(raw)
            if _applies(sub, extras):
                todo.append((sub, frozenset(sub.extras)))
    return dict(sorted(found.items()))


def read_lock(path: Path = LOCK) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            out[canonicalize_name(name)] = version.strip()
    return out


def differences(lock: dict[str, str] | None = None) -> list[str]:
    """What the installed environment has that the lock does not say (empty: it matches)."""
    lock = read_lock() if lock is None else lock
    out = []
    for name, version in lock.items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            out.append(f"{name}: locked {version}, not installed")
            continue
        if have != version:
            out.append(f"{name}: locked {version}, installed {have}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--check", action="store_true", help="compare the environment with the lock")
    opts = args.parse_args(argv)
    if opts.check:
        diff = differences()
        for line in diff:
            print(line)
        return 1 if diff else 0
    text = HEADER.format(python=".".join(map(str, sys.version_info[:3])), platform=sys.platform)
    text += "".join(f"{name}=={version}\n" for name, version in closure().items())
    LOCK.write_text(text, encoding="utf-8")
    print(f"wrote {LOCK.name}: {text.count('==')} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
