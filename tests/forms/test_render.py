"""Renderers with hand-made DTOs: read the PDF back and check what a school relies on."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
import segno

from app.services.forms import layout
from app.services.forms.dto import FormSet, NoticeForm, NoticeRow, TeacherForm
from app.services.forms.render import render
from tests.forms.helpers import fonts, page_numbers, pages_text, pypdf_text
from tests.forms.samples import (NAMES, RARE, SCHOOL, SEAL, SEAL_INCOMPLETE, demo_set, stress_set, teacher)


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("forms") / "demo.pdf"
    result = render(demo_set(3), path, seal=SEAL)
    return path, result


@pytest.fixture(scope="module")
def stress_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("forms") / "stress.pdf"
    result = render(stress_set(), path, seal=SEAL_INCOMPLETE)
    return path, result


def _sections(result):
    return [(f.kind, f.who, f.pages) for f in result.forms]


def test_full_set_order_and_page_counts(demo_pdf):
    path, result = demo_pdf
    assert [f.kind for f in result.forms] == ["汇总", "个人", "个人", "个人", "公示", "密钥"]
    assert [f.who for f in result.forms if f.kind == "个人"] == NAMES[:3]
    texts = pages_text(path)
    assert len(texts) == result.pages == sum(f.pages for f in result.forms)
    # a typical teacher (3 points, 2 items each) fits on one page
    assert all(f.pages == 1 for f in result.forms if f.kind == "个人")


def test_every_font_is_embedded(demo_pdf, stress_pdf):
    for path, _ in (demo_pdf, stress_pdf):
        rows = fonts(path)
        assert rows, "no fonts at all?"
        assert all(r["emb"] == "yes" for r in rows), rows
        assert all("TishengSansSC" in r["name"] for r in rows), rows
        assert all(r["type"] == "TrueType" for r in rows), rows


def test_every_page_has_school_seal_fingerprint_and_page_x_of_y(demo_pdf):
    path, result = demo_pdf
    texts = pages_text(path)
    for text in texts:
        assert SCHOOL.name in text
        assert SEAL.seal_code in text
        assert SEAL.fingerprint in text
    for form in result.forms:
        for k in range(form.pages):
            assert page_numbers(texts[form.first_page - 1 + k]) == (k + 1, form.pages)


def test_personal_form_content(demo_pdf):
    path, result = demo_pdf
    form = next(f for f in result.forms if f.who == "司马文博")
    text = "".join(pages_text(path)[form.first_page - 1:form.first_page - 1 + form.pages])
    for needle in ("教师个人签字确认表", "司马文博", "T002", "210281********123X", "语文研修组",
                   "A1技术支持的学情分析", "司马文博_A6_课堂实录片段.mp4", "优秀", "李明",
                   "网络研修", "≥50", "56", "教师本人（签字）", "考核人（签字）", "校长（签字）", "学校公章"):
        assert needle in text, needle


def test_summary_notice_and_key_content(demo_pdf):
    path, result = demo_pdf
    texts = pages_text(path)
    summary = "".join(texts[:result.forms[0].pages])
    for needle in ("学校汇总确认表", "35/36（97.2%）", "合格率≥100%", "未达到", "2150", "56.6", "36/38",
                   "欧阳晓燕", "一划两案", "校本研修方案", "技术支持的学情分析实践", "校长（签字）",
                   "项目办负责人（签字）"):
        assert needle in summary, needle
    notice = next(f for f in result.forms if f.kind == "公示")
    ntext = texts[notice.first_page - 1]
    assert "2026年12月1日至2026年12月7日（共7天）" in ntext
    assert all(n in ntext for n in NAMES[:3])
    key = next(f for f in result.forms if f.kind == "密钥")
    ktext = texts[key.first_page - 1]
    assert "9A1B-22C3-D4E5-F607-1829-3A4B-5C6D-7E8F" in ktext
    assert "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3" in ktext


def test_pypdf_reads_names_including_rare_characters(stress_pdf):
    path, _ = stress_pdf
    text = "".join(pypdf_text(path))
    assert "司马" + RARE in text          # 𠮷 (U+20BB7) extracts correctly: ToUnicode is UTF-16
    assert "欧阳晓燕" in text and "诸葛亮" in text


def test_stress_flows_over_pages_with_repeated_headers(stress_pdf):
    path, result = stress_pdf
    texts = pages_text(path)
    heavy = next(f for f in result.forms if f.kind == "个人" and f.who.startswith("司马"))
    assert heavy.pages >= 3
    pages = texts[heavy.first_page - 1:heavy.first_page - 1 + heavy.pages]
    header = ("序号", "考核材料", "提交的文件", "等级", "评审人")
    assert all(all(h in p for h in header) for p in pages[:-1])     # header repeated on every page
    joined = "".join(pages)
    for k in range(12):
        assert f"A{k + 1}技术支持的学情分析" in joined
    for f in range(15):                                                   # every file listed
        assert f"文件{f + 1}_VeryLong" in joined.replace("\n", "")
    assert "（续，共15个文件）" in joined
    assert joined.count("校长（签字）") == 1
    notice = next(f for f in result.forms if f.kind == "公示")
    npages = texts[notice.first_page - 1:notice.first_page - 1 + notice.pages]
    assert notice.pages >= 2
    assert all(all(h in p for h in ("序号", "姓名", "学科", "研修组", "能力点", "学时", "考核结果", "备注"))
               for p in npages[:-1])
    njoined = "".join(npages)
    rows = [str(i) for i in range(1, 61)]
    assert all(r in njoined for r in rows)
    for row in stress_set().notice.rows:
        assert row.name in njoined


def test_allow_incomplete_is_prominent_on_every_page(stress_pdf):
    path, result = stress_pdf
    texts = pages_text(path)
    assert all("资料不完整" in t for t in texts)
    assert "本报送包在资料不完整的情况下导出" in texts[0]
    heavy = next(f for f in result.forms if f.kind == "个人" and f.who.startswith("司马"))
    first = texts[heavy.first_page - 1]
    assert "该教师尚有以下缺项" in first and "问题0" in first and "另有3项" in first
    other = next(f for f in result.forms if f.kind == "个人" and not f.who.startswith("司马"))
    assert "该教师个人的各项要求未发现缺项" in texts[other.first_page - 1]


def test_long_school_name_is_never_cut(stress_pdf):
    path, _ = stress_pdf
    name = stress_set().school.name
    for text in pypdf_text(path):            # content order: the header's two lines in turn
        assert name in text       # header wraps to two lines rather than clipping


def test_empty_fields_print_a_dash_not_nothing(stress_pdf):
    path, result = stress_pdf
    texts = pages_text(path)
    heavy = next(f for f in result.forms if f.kind == "个人" and f.who.startswith("司马"))
    assert "工号—" in texts[heavy.first_page - 1]
    empty = next(f for f in result.forms if f.who == "欧阳晓燕")
    assert "尚未选择能力点" in texts[empty.first_page - 1]
    exempt = next(f for f in result.forms if f.who == "端木蓉")
    assert "免修" in texts[exempt.first_page - 1]


def test_characters_outside_the_font_are_warned_and_printed_as_code_points(tmp_path):
    odd = "张\ue123三"           # a private-use character: in no font
    fs = FormSet(SCHOOL, date(2026, 12, 1), teachers=(teacher(1, odd),),
                 notice=NoticeForm((NoticeRow(odd),)))
    result = render(fs, tmp_path / "odd.pdf")
    assert result.warnings and any("[U+E123]" in w for w in result.warnings)
    assert len(result.warnings) == len(set(result.warnings))
    text = "".join(pages_text(tmp_path / "odd.pdf"))
    assert "张[U+E123]三" in text
    assert "\ue123" not in text


def test_without_seal_the_forms_say_they_are_not_sealed(tmp_path):
    fs = demo_set(1)
    result = render(fs, tmp_path / "plain.pdf")
    texts = pages_text(tmp_path / "plain.pdf")
    assert not any("封存码" in t for t in texts)
    personal = next(f for f in result.forms if f.kind == "个人")
    assert "本表未随报送包封存" in texts[personal.first_page - 1]
    notice = next(f for f in result.forms if f.kind == "公示")
    assert "本表未随报送包封存" not in texts[notice.first_page - 1]   # the notice board needs no seal


def test_only_requested_kinds_are_printed(tmp_path):
    result = render(demo_set(2), tmp_path / "k.pdf", kinds=("公示",))
    assert [f.kind for f in result.forms] == ["公示"]
    assert result.pages == 1


def test_many_teachers_each_start_on_a_new_page_and_number_their_own_pages(tmp_path):
    fs = replace(demo_set(12), summary=None, notice=None, key=None)
    result = render(fs, tmp_path / "many.pdf", seal=SEAL)
    texts = pages_text(tmp_path / "many.pdf")
    assert result.pages == 12 == len(texts)
    for f, t in zip(result.forms, texts):
        assert f.who in t and page_numbers(t) == (1, 1)


def test_render_to_a_buffer(tmp_path):
    buf = io.BytesIO()
    render(demo_set(1), buf, kinds=("个人",))
    assert buf.getvalue().startswith(b"%PDF-")


def test_qr_drawing_matches_segno_matrix():
    payload = SEAL.qr_payload()
    n, runs = layout.qr_runs(payload)
    grid = [[0] * n for _ in range(n)]
    for row, col, length in runs:
        for x in range(col, col + length):
            grid[row][x] = 1
    expected = [list(r) for r in segno.make(payload, error="m", micro=False, boost_error=False)
                .matrix_iter(scale=1, border=2)]
    assert grid == [[1 if v else 0 for v in r] for r in expected]
    assert SEAL.digest_hex in payload and SEAL.fingerprint.replace("-", "") in payload


def test_seal_qr_is_drawn_from_the_seal_payload(tmp_path, monkeypatch):
    seen = []
    real = layout.draw_qr
    monkeypatch.setattr(layout, "draw_qr", lambda c, p, *a: (seen.append(p), real(c, p, *a)))
    render(demo_set(1), tmp_path / "q.pdf", seal=SEAL, kinds=("个人",))
    assert seen == [SEAL.qr_payload()]       # one form XObject, referenced by every page


def test_progress_reports_and_cancel(tmp_path):
    from app.errors import CancelledError
    from app.services.progress import Progress

    reports = []
    render(demo_set(3), tmp_path / "p.pdf", progress=Progress(lambda d, t, s: reports.append((d, t, s)),
                                                              min_interval=0))
    assert reports[-1][0] == reports[-1][1] == 6
    p = Progress()
    p.cancel()
    with pytest.raises(CancelledError):
        render(demo_set(3), tmp_path / "c.pdf", progress=p)


@pytest.mark.parametrize("text", [
    "本表用于区县项目办登记本校报送包的签名公钥。区县核验报送包时，以本表登记的“密钥指纹”为准，不以报送包内附带的公钥文件为准。",
    "核对方法：在本软件“核验报送包”中查看的密钥指纹，或用 minisign 公钥计算的指纹，应与上表完全一致（共 32 位，每 4 位一组）。",
])
@pytest.mark.parametrize("width", [120, 173, 250, 333, 499])
def test_no_line_starts_with_closing_punctuation(text, width):
    from reportlab.platypus import Paragraph

    from app.services.forms.fonts import register_fonts
    from app.services.forms.typeset import CANNOT_END, CANNOT_START
    register_fonts()
    for markup in (text, "<b>注意</b>" + text):
        p = Paragraph(markup, layout.Styles.body)
        p.wrap(width, 10_000)
        lines = []
        for line in p.blPara.lines:
            if isinstance(line, (tuple, list)):
                lines.append("".join(str(x) for x in line[1]))
            else:
                lines.append("".join(str(getattr(w, "text", w)) for w in line.words))
        assert "".join(lines).replace(" ", "") == ("注意" if markup != text else "") + text.replace(" ", "")
        for a, b in zip(lines, lines[1:]):
            assert b[:1] not in CANNOT_START, (a, b)
            assert a[-1:] not in CANNOT_END, (a, b)


HOSTILE = ["CON.docx", "作业:第1次?.docx", "a<b>&c.jpg", "换行\n名字.txt", "回车\r名字.txt", "制表\t符.txt",
           "école.pdf", "很长的文件名" * 15 + ".mp4", "..", "~$临时.docx", "零宽\u200b字符.docx", "响铃\x07.txt"]


def test_hostile_file_names_print_legibly(tmp_path):
    from app.services.forms.dto import ItemLine, PointBlock
    t = teacher(1, "王芳", points=(PointBlock("A1", "技术支持的学情分析", "学情分析", "合格",
                                              (ItemLine("学情分析方案", tuple(HOSTILE), "合格", "李明"),)),))
    result = render(FormSet(SCHOOL, date(2026, 12, 1), teachers=(t,)), tmp_path / "h.pdf")
    text = "".join(pages_text(tmp_path / "h.pdf"))
    for needle in ("CON.docx", "作业:第1次?.docx", "a<b>&c.jpg", "换行名字.txt", "回车名字.txt", "制表符.txt",
                   "~$临时.docx", "零宽字符.docx", "（续，共"):
        assert needle in text, needle
    assert "很长的文件名" * 15 + ".mp4" in "".join(pypdf_text(tmp_path / "h.pdf"))   # wrapped, never cut
    assert all(r["emb"] == "yes" for r in fonts(tmp_path / "h.pdf"))
    assert result.warnings == ()          # control and zero-width characters are blanked, not warned
