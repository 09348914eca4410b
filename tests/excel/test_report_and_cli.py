"""The summary workbook and the command line."""

from __future__ import annotations

import json
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from app.cli.main import main
from app.services.excel import import_hours, import_roster, write_report
from app.services.excel.report import SHEETS
from tests.excel.helpers import ROSTER_HEADER, hours, make_id, roster_row, teachers, write_rows

EVIL = '=HYPERLINK("http://x","点我")'
DRAWINGML_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"


@pytest.fixture
def school_data(school, tmp_path):
    rows = [ROSTER_HEADER, roster_row(1, "王芳"), roster_row(2, EVIL), roster_row(3, "@SUM(甲)"),
            roster_row(4, "-李"), roster_row(5, "+王", 联系电话="+86 138 0000 0005")]
    result = import_roster(school, write_rows(tmp_path / "r.xlsx", rows))
    assert result.added == 5, [e.describe() for e in result.errors]
    hrows = [["姓名", "身份证号", "类别", "学时"],
             ["王芳", make_id(1), "网络研修", 25], ["王芳", make_id(1), "校本实践", 25],
             ["", make_id(2), "网络研修", 10]]
    assert import_hours(school, write_rows(tmp_path / "h.xlsx", hrows)).added == 3
    from app.services.choices import set_choices
    set_choices(school, make_id(1), ["A1", "A3", "A6"])
    return school


def test_report_sheets_and_contents(school_data, tmp_path):
    dest = write_report(school_data, tmp_path / "汇总.xlsx")
    wb = load_workbook(dest)
    assert wb.sheetnames == [n for n in SHEETS if n != "学校自评"]     # the demo's programme has no indicators
    sh = wb["教师学时"]
    header = [c.value for c in sh[2]]
    assert "网络研修（≥25）" in header and "校本实践（≥25）" in header and "合计（≥50）" in header
    rows = {r[1]: dict(zip(header, r)) for r in sh.iter_rows(min_row=3, values_only=True)}
    assert rows["王芳"]["学时达标"] == "达标" and rows["王芳"]["合计（≥50）"] == 50
    evil = rows[EVIL]
    assert evil["学时达标"] == "未达标" and evil["网络研修（≥25）"] == 10
    assert "校本实践" in evil["说明"]
    assert rows["王芳"]["身份证号"] == make_id(1)[:6] + "********" + make_id(1)[-4:]
    assert rows["王芳"]["联系电话"] == "138****0001"
    matrix = wb["微能力选点"]
    mh = [c.value for c in matrix[2]]
    wang = next(r for r in matrix.iter_rows(min_row=3, values_only=True) if r[1] == "王芳")
    assert [mh[i] for i, v in enumerate(wang) if v == "√"] == ["A1", "A3", "A6"]
    stats = wb["能力点统计"]
    counts = {r[0]: r[4] for r in stats.iter_rows(min_row=3, max_row=32, values_only=True)}
    assert counts["A1"] == 1 and counts["A2"] == 0
    findings = wb["未达标清单"]
    assert any(EVIL in str(r[3]) for r in findings.iter_rows(min_row=3, values_only=True))
    for sheet in wb.worksheets:
        assert sheet.freeze_panes == "A3", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A2:"), sheet.title
        assert sheet.print_title_rows == "$1:$2", sheet.title
        # fitToWidth 1 is the schema's default: Excel (and XlsxWriter after it) leaves it out
        assert int(sheet.page_setup.paperSize) == 9 and (sheet.page_setup.fitToWidth or 1) == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert wb["微能力选点"].page_setup.orientation == "landscape"


def test_report_has_a_native_bar_chart(school_data, tmp_path):
    dest = write_report(school_data, tmp_path / "汇总.xlsx")
    with zipfile.ZipFile(dest) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        root = ElementTree.fromstring(z.read(charts[0]))
    bar = root.find(f".//{{{DRAWINGML_CHART}}}barChart")
    assert bar is not None and bar.find(f"{{{DRAWINGML_CHART}}}barDir").get("val") == "col"
    # the series is the 选择人数 column, by 能力点
    refs = [f.text.replace("'", "").replace("$", "") for f in bar.iter(f"{{{DRAWINGML_CHART}}}f")]
    assert refs == ["能力点统计!E2", "能力点统计!A3:A32", "能力点统计!E3:E32"], refs


def test_formula_like_text_stays_text(school_data, tmp_path):
    dest = write_report(school_data, tmp_path / "汇总.xlsx")
    wb = load_workbook(dest)
    cells = [c for sheet in wb.worksheets for row in sheet.iter_rows() for c in row
             if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    values = {c.value for c in cells}
    assert {EVIL, "@SUM(甲)", "-李", "+王"} <= values
    assert all(c.data_type == "s" for c in cells), [(c.coordinate, c.data_type) for c in cells
                                                     if c.data_type != "s"]
    with zipfile.ZipFile(dest) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in z.read(name), name


def test_unmask_personal(school_data, tmp_path):
    wb = load_workbook(write_report(school_data, tmp_path / "全.xlsx", unmask=True))
    ids = [r[3] for r in wb["教师学时"].iter_rows(min_row=3, values_only=True)]
    assert make_id(1) in ids
    cell = next(c for c in wb["教师学时"]["D"][2:] if c.value == make_id(1))
    assert cell.data_type == "s"


def test_formula_text_round_trips_through_our_own_import(school_data, tmp_path):
    """Import the (unmasked) report's 教师学时 sheet as a roster elsewhere: the same names come back."""
    from app.services.workspace import Workspace
    report = write_report(school_data, tmp_path / "汇总.xlsx", unmask=True)
    with Workspace.open(tmp_path / "other") as other:
        result = import_roster(other, report)
        assert result.ok and result.added == 5, [e.describe() for e in result.errors]
        names = {t.name for t in teachers(other).values()}
        assert names == {t.name for t in teachers(school_data).values()}
        assert {EVIL, "@SUM(甲)", "-李", "+王"} <= names
        assert teachers(other)[make_id(5)].phone == "13800000005"


def _cli(*args) -> tuple[int, str]:
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_cli_template_import_and_report(tmp_path, capsys):
    data = str(tmp_path / "data")
    from app.services.school import init_school
    from app.services.workspace import Workspace
    with Workspace.open(data) as w:
        init_school(w, name="测试小学", code="21028100", environment="多媒体", programme_id="wafangdian-2023")
    code, out = _cli("template", "roster", str(tmp_path / "模板"), "--data-dir", data)
    assert code == 0 and (tmp_path / "模板.xlsx").exists() and "模板" in out
    code, out = _cli("template", "hours", str(tmp_path / "学时模板.xlsx"), "--data-dir", data, "--json")
    assert code == 0 and json.loads(out)["ok"]

    bad = write_rows(tmp_path / "名单.xlsx", [ROSTER_HEADER, roster_row(1),
                                             roster_row(2, 身份证号=make_id(2)[:-1] + "0"
                                                        if make_id(2)[-1] != "0" else make_id(2)[:-1] + "1")])
    code, out = _cli("import", "roster", str(bad), "--data-dir", data, "--json")
    assert code == 1
    doc = json.loads(out)
    assert set(doc) >= {"ok", "added", "updated", "unchanged", "errors"}
    assert doc["ok"] is False and doc["added"] == 0
    assert doc["errors"] == [{"row": 3, "column": "身份证号", "value": doc["errors"][0]["value"],
                              "message": doc["errors"][0]["message"], "cell": "C3"}]
    assert "校验位错误" in doc["errors"][0]["message"]
    assert (tmp_path / "名单_错误标注.xlsx").exists()

    code, out = _cli("import", "roster", str(bad), "--data-dir", data)
    assert code == 1 and "第 3 行" in out and "校验位错误" in out and "没有导入" in out

    code, out = _cli("import", "roster", str(bad), "--data-dir", data, "--skip-invalid")
    assert code == 1 and "新增 1 人" in out

    good = write_rows(tmp_path / "好.xlsx", [ROSTER_HEADER, roster_row(1), roster_row(3)])
    code, out = _cli("import", "roster", str(good), "--data-dir", data, "--dry-run", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and (doc["added"], doc["unchanged"]) == (1, 1) and doc["dry_run"]
    code, out = _cli("import", "roster", str(good), "--data-dir", data, "--json")
    assert code == 0 and json.loads(out)["added"] == 1

    h = write_rows(tmp_path / "学时.xlsx", [["姓名", "类别", "学时"], [roster_row(1)[0], "网络研修", 3]])
    code, out = _cli("import", "hours", str(h), "--data-dir", data, "--json")
    assert code == 0 and json.loads(out)["added"] == 1
    code, out = _cli("import", "hours", str(h), "--data-dir", data, "--json")
    assert code == 0 and (json.loads(out)["added"], json.loads(out)["unchanged"]) == (0, 1)

    code, out = _cli("report", str(tmp_path / "汇总.xlsx"), "--data-dir", data)
    assert code == 0 and (tmp_path / "汇总.xlsx").exists()

    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    code = main(["import", "roster", str(empty), "--data-dir", data])
    assert code == 2
    assert "空.xlsx" in capsys.readouterr().err
    with Workspace.open(data) as w:
        assert len(hours(w)) == 1 and len(teachers(w)) == 2


def test_cancelled_report_leaves_no_file(school_data, tmp_path):
    from app.errors import CancelledError
    from app.services.progress import Progress
    seen = []
    progress = Progress(lambda done, total, text: (seen.append(text), progress.cancel() if done == 2 else None),
                        min_interval=0)
    with pytest.raises(CancelledError):
        write_report(school_data, tmp_path / "取消.xlsx", progress=progress)
    assert not (tmp_path / "取消.xlsx").exists() and len(seen) >= 2
    assert not list(tmp_path.glob("*.tmp"))
