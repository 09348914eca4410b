"""Crash consistency of collection packs (issue 17): kill the process at every write step of creating a
pack, attaching a file at the teaching point, 完成采集 and merging, and at random moments of each.

As in test_kills.py, each run copies a small scene (the school's data folder and its "stick"), forks a
child that runs one operation and SIGKILLs it, either at a fault point (`TISHENG_FAULT=point@n`, every
point the operation passes, listed by a logged dry run) or after a random delay. The parent then opens
the data folder as a user would after a power cut and checks that the school and the pack are each
either as before or as after the operation, never in between; after every deterministic kill the
operation is run again and must succeed and end in the state "after".
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.models.pack import PACK_OUT
from app.services.startup import open_checked
from app.services.packs import collect, seal
from app.services.packs import layout as L
from app.services.packs.create import create_pack
from app.services.packs.folder import PackFolder
from app.services.packs.merge import merge_return
from app.services.packs.returns import read_return
from app.services.workspace import Workspace
from tests.packs.helpers import POINT, build_point_school, fill
from tests.reliability.helpers import db_signature, evidence_problems, integrity, write_file
from tests.reliability.test_kills import run_child

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kill tests fork a child process")

RANDOM_KILLS = int(os.environ.get("TISHENG_PACK_RANDOM_KILLS", "8"))
SEED = int(os.environ.get("TISHENG_KILL_SEED", "20261123"))


@dataclass
class Scene:
    """Templates (each a folder with `central/` and `U盘/`) and what 'after' looks like per operation."""
    empty: Path                      # a school, nothing on the stick
    issued: Path                     # a pack out, nothing collected yet
    returned: Path                   # a pack filled and sealed, not merged
    work: Path
    video: Path
    after: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Scene:
    base = tmp_path_factory.mktemp("pack-kills")
    empty = base / "empty"
    build_point_school(empty)
    (empty / "U盘").mkdir()
    issued = base / "issued"
    shutil.copytree(empty, issued)
    with Workspace.open(issued / "central") as ws:
        create_pack(ws, issued / "U盘", point=POINT)
    returned = base / "returned"
    shutil.copytree(issued, returned)
    fill(_pack(returned), base / "src")
    s = Scene(empty, issued, returned, base / "work", write_file(base / "src", "课堂实录.mp4", os.urandom(2_500_000)))
    s.work.mkdir()
    return s


def _pack(root: Path) -> Path:
    return next(p for p in (root / "U盘").iterdir() if p.is_dir() and not p.name.endswith(L.PARTIAL))


def _packs(root: Path) -> list[Path]:
    return [p for p in (root / "U盘").iterdir() if p.is_dir() and not p.name.endswith(L.PARTIAL)]


# ------------------------------------------------------------------ the operations

def op_create(root: Path, s: Scene) -> None:
    with Workspace.open(root / "central") as ws:
        create_pack(ws, root / "U盘", point=POINT)


def op_attach(root: Path, s: Scene) -> None:
    collect.attach_files(PackFolder.open(_pack(root)), "T000", "2", [s.video], point="A1")


def op_seal(root: Path, s: Scene) -> None:
    pack = PackFolder.open(_pack(root))
    collect.add_hours(pack, "T001", category="网络研修", hours=2) if not pack.read_changes() else None
    seal.seal(pack, by="王老师")


def op_merge(root: Path, s: Scene) -> None:
    with Workspace.open(root / "central") as ws:
        merge_return(ws, _pack(root), by="李主任")


# ------------------------------------------------------------------ before, after or in between

def state_create(root: Path, s: Scene) -> str:
    con_rows = _pack_rows(root)
    finals = _packs(root)
    for f in finals:
        try:
            pid = PackFolder.open(f).document.pack_id
        except Exception as exc:                   # noqa: BLE001
            return f"half: final pack folder {f.name} does not open: {exc}"
        if pid not in con_rows:
            return f"half: pack folder {f.name} has no record in the school"
    out = [pid for pid, status in con_rows.items() if status == PACK_OUT]
    opened = {PackFolder.open(f).document.pack_id for f in finals}
    if any(pid not in opened for pid in out):
        return "half: a pack is 已发出 but its folder is not on the stick"
    if len(finals) > 1:
        return f"half: {len(finals)} pack folders"
    return "after" if finals else "before"


def _pack_rows(root: Path) -> dict[str, str]:
    from app.dbfile import connect_readonly
    con = connect_readonly(root / "central" / "tisheng.sqlite3")
    try:
        return dict(con.execute("SELECT pack_id, status FROM collectionpack"))
    finally:
        con.close()


def state_attach(root: Path, s: Scene) -> str:
    pack = PackFolder.open(_pack(root))
    changes = pack.read_changes()
    if pack.problems:
        return f"half: damaged change files {pack.problems}"
    if pack.missing_files(changes):
        return "half: a change refers to a file that is not in the pack"
    evid = [c for c in changes if c.kind == "evidence_add"]
    if len(evid) > 1:
        return "half: the file was recorded twice"
    return "after" if evid else "before"


def state_seal(root: Path, s: Scene) -> str:
    pack = PackFolder.open(_pack(root))
    if pack.problems or pack.missing_files(pack.read_changes()):
        return "half: the pack's own changes were damaged"
    bags = L.return_bags(pack.root)
    for _seq, bag in bags:
        try:
            read_return(bag, lambda pid, code: pack.secret)
        except Exception as exc:                   # noqa: BLE001
            return f"half: finished return {bag.name} does not verify: {exc}"
    return "after" if bags else "before"


def state_merge(root: Path, s: Scene) -> str:
    sig = db_signature(root / "central" / "tisheng.sqlite3")
    if sig == s.after["merge-before"]:
        return "before"
    if sig == s.after["merge"]:
        return "after"
    changed = [t for t in sig if sig[t] != s.after["merge-before"].get(t)]
    return f"half: tables {changed} differ from both the state before and after"


@dataclass(frozen=True)
class Op:
    name: str
    template: str
    run: object
    state: object


OPS = [Op("create", "empty", op_create, state_create),
       Op("attach", "issued", op_attach, state_attach),
       Op("seal", "issued", op_seal, state_seal),
       Op("merge", "returned", op_merge, state_merge)]


def _fresh(s: Scene, op: Op, tag: str) -> Path:
    run = s.work / tag
    if run.exists():
        shutil.rmtree(run)
    shutil.copytree(getattr(s, op.template), run)
    return run


def check_after(op: Op, root: Path, s: Scene) -> tuple[str, list[str]]:
    problems = []
    opened = open_checked(root / "central", drive_type=3)
    opened.close(changed=False)
    db = root / "central" / "tisheng.sqlite3"
    if integrity(db) != ["ok"]:
        problems.append(f"integrity: {integrity(db)}")
    problems += [f"evidence: {p}" for p in evidence_problems(root / "central")]
    try:
        state = op.state(root, s)
    except Exception as exc:                       # noqa: BLE001
        state = f"half: could not read the state ({type(exc).__name__}: {exc})"
    if state.startswith("half"):
        problems.append(state)
    return state, problems


def test_kill_packs_at_every_write_step_and_at_random_moments(scene, capsys):
    s = scene
    rng = random.Random(SEED)
    failures: list[str] = []
    kills = Counter()
    states = Counter()
    started = time.monotonic()
    s.after["merge-before"] = db_signature(s.returned / "central" / "tisheng.sqlite3")
    for op in OPS:
        root = _fresh(s, op, f"cal-{op.name}")
        log = s.work / f"{op.name}.points"
        log.unlink(missing_ok=True)
        t0 = time.monotonic()
        killed, code, _ = run_child(op, root, s, log=log)
        seconds = time.monotonic() - t0
        assert not killed and code == 0, f"{op.name} failed without any fault (exit {code})"
        if op.name == "merge":
            s.after["merge"] = db_signature(root / "central" / "tisheng.sqlite3")
        state, problems = check_after(op, root, s)
        assert (state, problems) == ("after", []), (op.name, state, problems)
        points = log.read_text(encoding="utf-8").split() if log.exists() else []
        seen = Counter()
        steps = []
        for p in points:
            seen[p] += 1
            steps.append(f"{p}@{seen[p]}")
        assert steps, f"{op.name} passed no fault point"
        for step in steps:
            root = _fresh(s, op, "run")
            killed, code, _ = run_child(op, root, s, fault=step)
            if not killed:
                failures.append(f"{op.name} {step}: not killed there (exit {code})")
                continue
            kills[op.name] += 1
            state, problems = check_after(op, root, s)
            states[f"{op.name}:{state}"] += 1
            if problems:
                failures.append(f"{op.name} killed at {step}: {problems}")
            killed, code, _ = run_child(op, root, s)            # the user tries again
            state, problems = check_after(op, root, s)
            if killed or code != 0 or state != "after" or problems:
                failures.append(f"{op.name} retry after {step}: exit {code}, {state}, {problems}")
        for _ in range(RANDOM_KILLS):
            root = _fresh(s, op, "run")
            killed, code, _ = run_child(op, root, s, kill_after=rng.uniform(0, seconds * 0.9))
            if killed:
                kills[op.name] += 1
            elif code != 0:
                failures.append(f"{op.name} random: failed without a kill (exit {code})")
                continue
            state, problems = check_after(op, root, s)
            states[f"{op.name}:{state}"] += 1
            if problems:
                failures.append(f"{op.name} random kill: {problems}")
    with capsys.disabled():
        sys.stdout.write(f"\npack kill test: {sum(kills.values())} kills ({dict(kills)}) in "
                         f"{time.monotonic() - started:.0f} s; outcomes {dict(sorted(states.items()))}; "
                         f"failures {len(failures)}\n")
        for f in failures[:20]:
            sys.stdout.write(f"  FAILURE {f}\n")
    assert failures == []
    for op in OPS:
        assert kills[op.name] >= 3, op.name
        assert states[f"{op.name}:before"] and states[f"{op.name}:after"], (op.name, states)
