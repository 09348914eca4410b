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


def test_teacher_evidence_and_progress(small, tmp_path):
    ws, s = small
    wang = s.ids["王芳"]
    choices.set_choices(ws, wang, ["A1", "A3", "A6"])
    submit_all(ws, wang, "A1", tmp_path)
    ev = missing_evidence.teacher_evidence(ws, wang)
    assert [(i.code, i.item.seq, i.state) for i in ev.items[:3]] == [("A1", 1, "已提交"), ("A1", 2, "已提交"),
                                                                      ("A3", 1, "缺")]
    assert len(ev.files) == 2 and ev.kept_aside == 0
    choices.set_choices(ws, wang, ["A2", "A6", "A11"], confirm_drop=True)
    ev = missing_evidence.teacher_evidence(ws, wang)
    assert len(ev.files) == 0 and ev.kept_aside == 2          # dropped point: files kept aside
    progress, missing = missing_evidence.evidence_overview(ws)
    by_name = {p.name: p for p in progress}
    assert by_name["王芳"].note == "缺 7 项" and by_name["李明"].note == "未选点" and by_name["刘洋"].note == "免修"
    assert sum(1 for m in missing if m.teacher == "王芳") == 7


def test_viewing_copy_keeps_the_name_and_never_touches_the_store(small, tmp_path):
    import os
    ws, s = small
    wang = s.ids["王芳"]
    choices.set_choices(ws, wang, ["A1", "A3", "A6"])
    row = evidence.add_evidence(ws, wang, "A1", "1", sample_file(tmp_path, "学情:分析.docx"))
    path = missing_evidence.viewing_copy(ws, row.sha256, row.original_name)
    assert path.name == "学情_分析.docx" and path.read_bytes() == ws.store.path_for(row.sha256).read_bytes()
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert os.stat(path).st_ino != os.stat(ws.store.path_for(row.sha256)).st_ino
    assert missing_evidence.viewing_copy(ws, row.sha256, row.original_name) == path


def test_add_files_reports_progress_failures_and_cancel(small, tmp_path):
    from app.services.progress import Progress
    ws, s = small
    wang = s.ids["王芳"]
    choices.set_choices(ws, wang, ["A1", "A3", "A6"])
    a = sample_file(tmp_path, "一.docx", 3000)
    b = sample_file(tmp_path, "二.mp4", 5000)           # wrong type for a 文档 item: a warning, not a refusal
    seen = []
    r = missing_evidence.add_files(ws, wang, "A1", "1", [a, tmp_path / "不存在.docx", b],
                                   Progress(lambda d, t, txt: seen.append((d, t)), min_interval=0))
    assert [x.original_name for x in r.added] == ["一.docx", "二.mp4"] and not r.cancelled
    assert r.failed[0][0] == "不存在.docx" and "找不到文件" in r.failed[0][1]
    assert any("类型" in w for w in r.warnings)
    total = a.stat().st_size + b.stat().st_size
    assert seen[-1] == (total, total) and all(t == total for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    p = Progress()
    p.cancel()
    r = missing_evidence.add_files(ws, wang, "A1", "2", [a], p)
    assert r.cancelled and not r.added
    assert not [e for e in evidence.list_evidence(ws, wang) if e.item_title == "学情分析报告"]


def test_replace_keeps_the_item_and_releases_the_old_file(small, tmp_path):
    ws, s = small
    wang = s.ids["王芳"]
    choices.set_choices(ws, wang, ["A1", "A3", "A6"])
    old = evidence.add_evidence(ws, wang, "A1", "2", sample_file(tmp_path, "旧.docx"))
    new = missing_evidence.replace_file(ws, old, sample_file(tmp_path, "新.docx", 4000))
    rows = evidence.list_evidence(ws, wang)
    assert [(r.item_id, r.original_name) for r in rows] == [(old.item_id, "新.docx")]
    assert not ws.store.has(old.sha256) and ws.store.has(new.sha256)
