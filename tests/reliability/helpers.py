"""A small school built by hand, and the invariants every reliability test checks."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import date
from pathlib import Path

from app.dbfile import connect_readonly
from app.services import activities, evidence, plans
from app.services.choices import set_choices
from app.services.school import init_school
from app.services.teachers import add_teacher
from app.services.validation.id_number import check_char

POINTS = ["A1", "A3", "A6"]


def valid_id(n: int) -> str:
    first = f"3301021985{(n % 12) + 1:02d}{(n % 27) + 1:02d}{(n * 2 + 1) % 1000:03d}"
    return first + check_char(first)


def write_file(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(content)
    return p


def build_small_school(ws, src: Path, *, teachers: int = 3, files_each: int = 2) -> None:
    """School, teachers with points and evidence, a plan document and an activity with a file."""
    init_school(ws, name="测试学校", code="T001", environment="混合", programme_id="national-2.0")
    ids = []
    for i in range(teachers):
        row = add_teacher(ws, name=f"教师{chr(0x4e00 + i)}", id_number=valid_id(i), staff_no=f"T{i:03d}",
                          subject="语文")
        ids.append(row.id)
        set_choices(ws, row.id, POINTS)
        for k in range(files_each):
            f = write_file(src, f"教学设计{i}-{k}.docx", f"teacher {i} file {k} ".encode() * (50 + k))
            evidence.add_evidence(ws, row.id, POINTS[k % 3], "1", f)
    plans.save_plan(ws, kind="校本研修方案", title="校本研修方案", file=write_file(src, "方案.docx", b"plan" * 100))
    act = activities.save_activity(ws, None, ids, title="信息技术专题讲座", kind="专题讲座", on_date=date(2026, 10, 9),
                                   hours=2, category=_practice_category(ws))
    activities.attach_activity_file(ws, act.id, write_file(src, "签到表.jpg", b"\xff\xd8photo" * 200))


def _practice_category(ws) -> str:
    from app.services.programmes import current_rules
    with ws.sessions() as s:
        rules = current_rules(s)
    return rules.practice_keys[0] if rules.practice_keys else rules.category_keys[-1]


def table_columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"PRAGMA table_info('{table}')")
            if (r[2] or "").upper() not in ("DATETIME", "TIMESTAMP")]


def db_signature(db: Path, *, skip: tuple[str, ...] = ("auditentry",)) -> dict[str, list[tuple]]:
    """Every row of every table, timestamps left out, sorted: equal signatures = equal records."""
    con = connect_readonly(db)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        out = {}
        for t in tables:
            if t in skip:
                continue
            cols = table_columns(con, t)
            sql = f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM \"{t}\""
            out[t] = sorted((tuple(r) for r in con.execute(sql)), key=repr)
        return out
    finally:
        con.close()


def integrity(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        return rows + ([f"foreign keys: {fk[:3]}"] if fk else [])
    finally:
        con.close()


def referenced_hashes(db: Path) -> set[str]:
    con = connect_readonly(db)
    try:
        out = set()
        for sql in ("SELECT sha256 FROM evidencefile", "SELECT sha256 FROM plandocument WHERE sha256 IS NOT NULL",
                    "SELECT sha256 FROM activityfile"):
            out |= {r[0] for r in con.execute(sql)}
        return out
    finally:
        con.close()


def evidence_problems(root: Path) -> list[str]:
    """Every row's evidence file exists in the store and matches its hash."""
    problems = []
    for sha in referenced_hashes(root / "tisheng.sqlite3"):
        p = root / "store" / sha[:2] / sha[2:4] / sha
        if not p.is_file():
            problems.append(f"missing {sha}")
        elif hashlib.sha256(p.read_bytes()).hexdigest() != sha:
            problems.append(f"corrupt {sha}")
    return problems


def store_hashes(root: Path) -> dict[str, str]:
    """sha -> actual hash of every store file (for 'identical evidence' comparisons)."""
    out = {}
    for p in (root / "store").glob("??/??/*"):
        if len(p.name) == 64:
            out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def copy_folder(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst
