"""The real path: the demo school's database → write_forms → a PDF read back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from app.errors import AppError, NotFoundError, ValidationError
from app.models import EvidenceFile, Teacher
from app.services.forms.api import make_forms, page_count, render_pages, write_forms
from app.services.forms.data import gather, parse_period
from app.services.seal import SealInfo
from app.services.workspace import Workspace
from tests.forms.helpers import fonts, page_numbers, pages_text


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    from app.services.demo import create_demo
    root = tmp_path_factory.mktemp("demo") / "data"
    with Workspace.open(root) as ws:
        create_demo(ws)
    return root


@pytest.fixture
def demo(demo_dir, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(demo_dir, root)
    ws = Workspace.open(root)
    yield ws
    ws.close()


def _seal(ws) -> SealInfo:
    from app.services.keys import school_key
    key = school_key(ws)
    return SealInfo("ABCD-0123-4567-89AB-CDEF-0123-4567-89AB", "abcd0123456789abcdef0123456789ab" * 2,
                    key.fingerprint, "2102810001", "2102810001_20261201-093000")


def test_full_set_for_a_sealed_bundle(demo, tmp_path):
    seal = _seal(demo)
    result = make_forms(demo, tmp_path / "签字确认表.pdf", seal=seal)
    with demo.sessions() as s:
        teachers = [t for t in s.exec(select(Teacher)) if t.status != "调离"]
        id_numbers = [t.id_number for t in teachers if t.id_number]
    kinds = [f.kind for f in result.forms]
    assert kinds == ["汇总"] + ["个人"] * len(teachers) + ["公示", "密钥"]
    texts = pages_text(result.path)
    assert len(texts) == result.pages == page_count(result.path)
    assert all(seal.seal_code in t and seal.fingerprint in t and "示例市实验小学" in t for t in texts)
    for form in result.forms:
        for k in range(form.pages):
            assert page_numbers(texts[form.first_page - 1 + k]) == (k + 1, form.pages)
    joined = "".join(texts)
    for t in teachers:
        assert t.name in joined
    for number in id_numbers:                 # only masked ID numbers are printed
        assert number not in joined
        assert number[:6] + "********" + number[-4:] in joined
    assert all(r["emb"] == "yes" for r in fonts(result.path))
    assert not list(tmp_path.glob("*.partial"))


def test_personal_form_numbers_match_the_database(demo, tmp_path):
    from app.services.snapshot import load_ws
    snap = load_ws(demo)
    view = next(v for v in snap.active if v.points and v.hours.total)
    t = view.teacher
    path = write_forms(demo, tmp_path / "one.pdf", kind="个人", teacher=t.staff_no)
    text = "".join(pages_text(path))
    assert t.name in text and t.staff_no in text
    assert f"{view.hours.total:g}学时" in text
    for p in view.points:
        assert p.code + p.name in text
        assert f"能力点结果：{view.point_results[p.code]}" in text
    with demo.sessions() as s:
        names = [f.original_name for f in s.exec(select(EvidenceFile).where(EvidenceFile.teacher_id == t.id))]
    assert names and all(n in text for n in names)
    assert f"考核结果{view.result}" in text


def test_failing_teacher_shows_support(demo, tmp_path):
    from app.services.snapshot import load_ws
    view = next(v for v in load_ws(demo).active if v.supports)
    path = write_forms(demo, tmp_path / "s.pdf", teacher=view.teacher.name)
    text = "".join(pages_text(path))
    assert "一对一帮扶进行中" in text and view.supports[-1].helper in text


def test_summary_counts_come_from_the_compliance_summary(demo, tmp_path):
    from app.services.compliance import run_check
    sm = run_check(demo).summary
    result = make_forms(demo, tmp_path / "sum.pdf", kind="汇总")
    text = "".join(pages_text(result.path))
    assert f"在册教师（不含调离）{sm['teachers']}" in text
    assert f"应参训教师{sm['active']}" in text
    assert f"{sm['excellent_cases']}个" in text
    assert "校级管理团队" in text and "信息化教学创新研修团队" in text
    assert "信息化教育教学发展规划" in text and "已备案" in text
    assert "技术支持的学情分析实践" in text
    assert [f.kind for f in result.forms] == ["汇总"]


def test_notice_one_row_per_teacher_with_period(demo, tmp_path):
    result = make_forms(demo, tmp_path / "n.pdf", kind="公示", period="2026-12-01至2026-12-07")
    text = "".join(pages_text(result.path))
    gathered = gather(demo, kinds=("公示",), period=parse_period("2026-12-01~2026-12-07"))
    assert len(gathered.notice.rows) == 40
    for row in gathered.notice.rows:
        assert row.name in text
    assert "公示期：2026年12月1日至2026年12月7日（共7天）" in text
    assert "0411-85551234" in text


def test_key_form_uses_the_school_key(demo, tmp_path):
    from app.services.keys import school_key
    key = school_key(demo)
    text = "".join(pages_text(write_forms(demo, tmp_path / "k.pdf", kind="密钥")))
    assert key.fingerprint in text and key.public_key_b64 in text


def test_incomplete_bundle_says_so(demo, tmp_path):
    seal = SealInfo(**{**_seal(demo).__dict__, "allow_incomplete": True})
    result = make_forms(demo, tmp_path / "inc.pdf", kind="汇总", seal=seal)
    texts = pages_text(result.path)
    assert all("资料不完整" in t for t in texts)
    assert "本报送包在资料不完整的情况下导出" in texts[0]


def test_bad_requests_raise_chinese_errors(demo, tmp_path):
    with pytest.raises(ValidationError, match="没有“信封”这种表"):
        write_forms(demo, tmp_path / "x.pdf", kind="信封")
    with pytest.raises(ValidationError, match="只能为教师个人签字确认表指定教师") as exc:
        write_forms(demo, tmp_path / "x.pdf", kind="汇总", teacher="T001")
    assert "--teacher" in exc.value.cli_hint and "--" not in exc.value.user_message    # flags only for the CLI
    with pytest.raises(ValidationError, match="公示期"):
        write_forms(demo, tmp_path / "x.pdf", kind="公示", period="2026-12-01")
    with pytest.raises(ValidationError, match=r"\.pdf"):
        write_forms(demo, tmp_path / "x.docx")
    with pytest.raises(NotFoundError):
        write_forms(demo, tmp_path / "x.pdf", teacher="不存在的人")
    other = SealInfo("A", "b", "C", "9999999999")
    with pytest.raises(AppError, match="与本校"):
        write_forms(demo, tmp_path / "x.pdf", seal=other)
    assert not list(tmp_path.glob("x.*"))


def test_no_school_yet(ws, tmp_path):
    with pytest.raises(AppError):
        write_forms(ws, tmp_path / "x.pdf")


@pytest.mark.parametrize("text,expected", [
    ("2026-12-01~2026-12-07", ("2026-12-01", "2026-12-07")),
    ("2026/12/1 至 2026/12/7", ("2026-12-01", "2026-12-07")),
    ("2026年12月1日到2026年12月5日", ("2026-12-01", "2026-12-05")),
    ("", (None, None)),
])
def test_parse_period(text, expected):
    start, end = parse_period(text)
    assert (start.isoformat() if start else None, end.isoformat() if end else None) == expected


def test_render_pages_gives_rgba_rows_for_qt(demo, tmp_path):
    path = write_forms(demo, tmp_path / "p.pdf", kind="汇总")
    pages = render_pages(path, dpi=50)
    assert len(pages) == page_count(path) == 2
    p = pages[0]
    assert abs(p.width - 595.28 * 50 / 72) <= 1 and abs(p.height - 841.89 * 50 / 72) <= 1
    assert p.stride >= p.width * 4 and len(p.data) == p.stride * p.height
    assert p.data[:4] == b"\xff\xff\xff\xff"                 # white, opaque paper
    assert any(p.data[i] < 128 for i in range(0, len(p.data), 4))   # and some ink
    assert [q.index for q in render_pages(path, dpi=30, first=1, count=5)] == [1]
