"""One store layout (store.blob_relpath) and one list of the tables that hold stored files (blobs.BLOB_HOLDERS)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.services.store import BLOB_GLOB, DamagedHashError, EvidenceStore, blob_relpath, sha_of_relpath

ROOT = Path(__file__).resolve().parent.parent
SHA = "ab" + "cd" + "0123456789abcdef" * 3 + "0123456789ab"
# the layout spelled out by hand: sha[:2] … sha[2:4], or the "??/??" fan-out pattern
SPELLED_OUT = re.compile(r"\[:2\].*\[2:4\]|['\"][^'\"]*\?\?/\?\?")


def test_the_layout():
    assert len(SHA) == 64
    assert blob_relpath(SHA) == f"ab/cd/{SHA}"
    assert sha_of_relpath(blob_relpath(SHA)) == SHA
    assert EvidenceStore(Path("/s")).path_for(SHA) == Path("/s") / "ab" / "cd" / SHA
    assert Path("ab/cd/x").match(BLOB_GLOB)


@pytest.mark.parametrize("bad", ["../../etc/passwd", SHA.upper(), SHA[:-1], "", None])
def test_a_damaged_hash_never_becomes_a_path(bad):
    with pytest.raises(DamagedHashError):
        blob_relpath(bad)


@pytest.mark.parametrize("rel", [f"ab/ce/{SHA}", f"ab/{SHA}", f"ab/cd/{SHA}/x", f"AB/CD/{SHA}", SHA])
def test_only_the_exact_layout_names_a_file(rel):
    assert sha_of_relpath(rel) is None


def test_the_layout_is_written_in_one_place_only():
    found = []
    for py in sorted((ROOT / "app").rglob("*.py")):
        if py == ROOT / "app" / "services" / "store.py":
            continue
        for n, line in enumerate(py.read_text(encoding="utf-8").splitlines(), 1):
            if SPELLED_OUT.search(line):
                found.append(f"{py.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "use app.services.store.blob_relpath / BLOB_GLOB:\n" + "\n".join(found)


def test_every_table_that_refers_to_a_stored_file_is_a_blob_holder():
    import app.models  # noqa: F401 - every table on the metadata
    from sqlmodel import SQLModel

    from app.services.blobs import BLOB_HOLDERS
    referring = {t.name for t in SQLModel.metadata.tables.values()
                 for c in t.columns for fk in c.foreign_keys if fk.target_fullname == "blob.sha256"}
    holders = {h.model.__tablename__ for h in BLOB_HOLDERS}
    assert referring == holders == {"evidencefile", "plandocument", "activityfile"}
    for h in BLOB_HOLDERS:
        assert re.match(rf"SELECT \w*\.?sha256\b.* FROM {h.model.__tablename__}\b", h.describe_sql)


def test_every_holder_keeps_its_file(ws, tmp_path):
    """blob_in_use and referenced_blobs both read BLOB_HOLDERS: a row of any of them keeps its file."""
    from datetime import date

    from app.services import activities, plans, school
    from app.services.blobs import blob_in_use, referenced_blobs
    from app.services.teachers import add_teacher

    school.init_school(ws, name="测试小学", code="T1", environment="混合", programme_id="national-2.0")
    add_teacher(ws, name="王芳", id_number="11010519491231002X", staff_no="T1")
    attachment = tmp_path / "方案.docx"
    attachment.write_bytes(b"plan")
    plan = plans.save_plan(ws, kind="校本研修方案", title="方案", file=attachment)
    photo = tmp_path / "签到表.jpg"
    photo.write_bytes(b"photo")
    act = activities.save_activity(ws, None, [], title="讲座", kind="专题讲座", on_date=date(2026, 10, 9), hours=2,
                                   category="实践应用")
    activities.attach_activity_file(ws, act.id, photo)
    refs = referenced_blobs(ws.paths.database)
    assert sorted(refs[plan.sha256]) == ["方案文档“方案”的附件“方案.docx”"]
    photo_sha = next(s for s, where in refs.items() if any("签到表" in w for w in where))
    with ws.sessions() as s:
        assert blob_in_use(s, plan.sha256) and blob_in_use(s, photo_sha)
