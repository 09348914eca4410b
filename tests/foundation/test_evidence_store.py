"""The content-addressed store: dedup, verification, hostile names, the 4 GiB limit."""

import hashlib
import unicodedata

import pytest

from app.errors import ValidationError
from app.services import evidence
from app.services.choices import set_choices
from app.services.school import init_school
from app.services.teachers import add_teacher


@pytest.fixture
def school_ws(ws):
    init_school(ws, name="测试学校", code="T001", environment="混合", programme_id="national-2.0")
    add_teacher(ws, name="王芳", id_number="11010519491231002X", staff_no="T1")
    set_choices(ws, "王芳", ["A1", "A3", "A6"])
    return ws


HOSTILE = ["../x", "..\\..\\evil.docx", "CON.txt", "a<b>.doc", "报告.", "照片.JPG", "照片.jpg",
           "x" * 300 + ".docx", "教学设计（第一稿）.docx", unicodedata.normalize("NFD", "café教案.docx")]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_stored_inside_the_store(school_ws, tmp_path, name):
    safe_dir = tmp_path / "src"
    safe_dir.mkdir(exist_ok=True)
    src = safe_dir / "payload.bin"
    data = f"内容 {name}".encode()
    src.write_bytes(data)
    row = evidence.add_evidence(school_ws, "王芳", "A1", "1", src)
    digest = hashlib.sha256(data).hexdigest()
    stored = school_ws.store.path_for(digest)
    assert row.sha256 == digest and stored.is_file()
    assert stored.resolve().is_relative_to(school_ws.paths.store.resolve())
    assert stored.read_bytes() == data
    # nothing was written outside the store under the hostile name
    assert not (tmp_path / "x").exists() and not (school_ws.paths.root / "CON.txt").exists()


def test_original_name_is_kept_without_path(school_ws, tmp_path):
    src = tmp_path / "学情分析方案 v2.docx"
    src.write_bytes(b"abc")
    row = evidence.add_evidence(school_ws, "王芳", "A1", "学情分析方案", src)
    assert row.original_name == "学情分析方案 v2.docx"
    from app.services.store import display_name
    assert display_name("..\\..\\x.docx") == "x.docx"
    assert display_name("../x") == "x"
    assert len(display_name("y" * 400)) == 255


def test_same_content_is_stored_once_and_released_when_unused(school_ws, tmp_path):
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    a.write_bytes(b"same bytes")
    b.write_bytes(b"same bytes")
    r1 = evidence.add_evidence(school_ws, "王芳", "A1", "1", a)
    r2 = evidence.add_evidence(school_ws, "王芳", "A1", "2", b)
    assert r1.sha256 == r2.sha256
    assert len(school_ws.store.all_hashes()) == 1
    evidence.remove_evidence(school_ws, r1.id)
    assert school_ws.store.has(r1.sha256)          # still used by r2
    evidence.remove_evidence(school_ws, r2.id)
    assert not school_ws.store.has(r1.sha256)


def test_files_of_4_gib_are_refused(school_ws, tmp_path):
    big = tmp_path / "课堂实录.mp4"
    with open(big, "wb") as fh:                     # sparse: no real 4 GiB written
        fh.truncate(4 * 1024 ** 3)
    with pytest.raises(ValidationError) as exc:
        evidence.add_evidence(school_ws, "王芳", "A6", "2", big)
    assert "4 GB" in exc.value.user_message and "课堂实录.mp4" in exc.value.user_message
    assert evidence.list_evidence(school_ws) == []


def test_evidence_for_unchosen_point_is_refused(school_ws, tmp_path):
    from app.errors import RuleViolation
    f = tmp_path / "x.docx"
    f.write_bytes(b"x")
    with pytest.raises(RuleViolation) as exc:
        evidence.add_evidence(school_ws, "王芳", "B2", "1", f)
    assert "没有选择能力点 B2" in exc.value.user_message


def test_limit_warnings_do_not_block(school_ws, tmp_path):
    f = tmp_path / "实录.txt"
    f.write_bytes(b"x")
    row = evidence.add_evidence(school_ws, "王芳", "A6", "课堂实录片段", f)
    assert row.warnings and "视频" in row.warnings[0]
