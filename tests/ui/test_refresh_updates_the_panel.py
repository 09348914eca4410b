"""Issue 14 item 7: after 刷新 the detail panel shows the same state as the list (证据材料 said 已齐全 in
the list and 缺 8 项 in the panel)."""

from PySide6.QtCore import Qt

from app.services import evidence, missing_evidence
from tests.ui.conftest import settle


def test_evidence_panel_follows_a_refresh(qtbot, window, tmp_path):
    page = window.go_to("证据材料")
    settle()
    tid = page.picker.current_id()
    d = page.panel.current()
    missing = [i for i in d.items if i.state == "缺"]
    assert tid is not None and missing, "the page opens on a teacher who still misses evidence"
    for i, item in enumerate(missing):                # another program (or the CLI) hands in the rest
        f = tmp_path / f"补交{i}.docx"
        f.write_bytes(b"PK\x03\x04" + bytes(range(256)) * (i + 4))
        evidence.add_evidence(window.api.workspace, tid, item.code, str(item.item.seq), f)
    qtbot.keyClick(window, Qt.Key.Key_F5)              # 刷新
    settle()
    assert page.picker.row_for(tid).note == "已齐全"
    assert page.picker.current_id() == tid
    assert "缺 0 项" in page.panel.summary.text()
    assert all(i.state != "缺" for i in page.panel.current().items)
    assert missing_evidence.teacher_evidence(window.api.workspace, tid).items == page.panel.current().items
