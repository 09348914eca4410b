"""The school-wide list of missing evidence and its Excel export."""

from openpyxl import load_workbook

from app.services import choices, evidence, missing_evidence
from tests.services_part2.school import sample_file, submit_all


def test_missing_rows(small, tmp_path):
    ws, s = small
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A6"])
    submit_all(ws, s.ids["王芳"], "A1", tmp_path)
    evidence.add_evidence(ws, s.ids["王芳"], "A3", "1", sample_file(tmp_path, "课件.pptx"))
    rows = missing_evidence.missing_rows(ws)
    wang = [(r.point_code, r.item_seq, r.item_title) for r in rows if r.teacher == "王芳"]
    assert wang == [("A3", 2, "设计与制作说明"), ("A6", 1, "环节教学设计"), ("A6", 2, "课堂实录片段"),
                    ("A6", 3, "教学反思")]
    others = {r.teacher: r.item_title for r in rows if r.teacher != "王芳"}
    assert others == {"李明": "尚未选择能力点", "张伟": "尚未选择能力点", "赵敏": "尚未选择能力点"}  # 刘洋 is exempt
    video = next(r for r in rows if r.item_title == "课堂实录片段")
    assert video.kinds == "视频" and video.group == "语文研修组"


def test_export_writes_text_cells_only(small, tmp_path):
    ws, s = small
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A6"])
    rows = missing_evidence.missing_rows(ws)
    hostile = rows[0].__class__(**{**rows[0].__dict__, "teacher": "=HYPERLINK(\"x\")", "staff_no": "007"})
    dest = missing_evidence.export_missing_xlsx([hostile] + rows, tmp_path / "out" / "缺交.xlsx", school="A&B 学校")
    wb = load_workbook(dest)
    sheet = wb["缺交材料"]
    assert [c.value for c in sheet[1]] == list(missing_evidence.HEADERS)
    assert sheet.max_row == len(rows) + 2
    assert sheet["B2"].value == "=HYPERLINK(\"x\")" and sheet["B2"].data_type == "s"
    assert sheet["C2"].value == "007"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.value is None or cell.data_type == "s", cell.coordinate
    assert not list((tmp_path / "out").glob("*.tmp"))
