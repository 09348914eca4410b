"""证据材料 for one teacher of the pack: the required items, the files of the selected one, a drop zone."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QVBoxLayout, QWidget

from app.ui.evidence.drop_zone import DropZone
from app.ui.pack.pack_models import FileModel, ItemModel
from app.ui.widgets.record_table import RecordTable, standard_action


class EvidenceTab(QWidget):
    attach_requested = Signal(int, list, object)       # item id, [Path], replaces (school file id or None)
    undo_requested = Signal(str, str)                  # change id, what it is

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.items = RecordTable(ItemModel(), placeholder="搜索证据项目")
        self.items.setObjectName("packItems")
        self.files = RecordTable(FileModel(), placeholder="搜索文件")
        self.files.setObjectName("packFiles")
        self.act_add = standard_action(self, "添加文件…", self._on_add_clicked)
        self.act_replace = standard_action(self, "替换…", self._on_replace_clicked)
        self.act_remove = standard_action(self, "删除", self._on_remove_clicked)
        for a in (self.act_add, self.act_replace, self.act_remove):
            self.files.add_button(a)
        self.drop = DropZone()
        self.hint = QLabel()
        self.hint.setProperty("role", "hint")
        self.hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.items, 3)
        lay.addWidget(self.files, 2)
        lay.addWidget(self.drop)
        lay.addWidget(self.hint)

    def _connect_signals(self) -> None:
        self.items.selection_changed.connect(self._on_item_selected)
        self.files.selection_changed.connect(self._update_actions)
        self.drop.files_dropped.connect(self._on_files_dropped)
        self.drop.browse_requested.connect(self._on_add_clicked)

    def set_teacher(self, state) -> None:
        """`state` is the teacher's TeacherState (or None)."""
        keep = self.items.current_key()
        self.state = state
        self.items.set_rows(list(state.items) if state else [])
        if state and not (keep and self.items.select_key(keep)) and state.items:
            first = next((e for e in state.items if e.missing), state.items[0])
            self.items.select_key(first.item.id)
        self._on_item_selected(self.items.current_row())
        other = state.other_files if state else ()
        self.hint.setText(f"另有 {len(other)} 个文件属于已取消的能力点（保留，不再计入）。" if other else "")
        self.hint.setVisible(bool(other))

    def current_item(self):
        return self.items.current_row()

    def _on_item_selected(self, entry) -> None:
        self.files.set_rows(list(entry.files) if entry else [])
        self.drop.set_target(entry.item.label if entry else "")
        self._update_actions()

    def _update_actions(self, *_args) -> None:
        entry, f = self.items.current_row(), self.files.current_row()
        self.act_add.setEnabled(entry is not None)
        self.act_replace.setEnabled(f is not None and f.key.startswith("school:") and not f.replaced)
        self.act_remove.setEnabled(f is not None and not f.key.startswith("school:"))

    def _on_files_dropped(self, paths: list[Path]) -> None:
        entry = self.items.current_row()
        if entry is not None and paths:
            self.attach_requested.emit(entry.item.id, list(paths), None)

    def _on_add_clicked(self) -> None:
        entry = self.items.current_row()
        if entry is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(self, f"为“{entry.item.title}”选择文件（可多选）")
        if paths:
            self.attach_requested.emit(entry.item.id, [Path(p) for p in paths], None)

    def _on_replace_clicked(self) -> None:
        entry, f = self.items.current_row(), self.files.current_row()
        if entry is None or f is None or not f.key.startswith("school:"):
            return
        path, _ = QFileDialog.getOpenFileName(self, f"选择替换“{f.name}”的新文件")
        if path:
            self.attach_requested.emit(entry.item.id, [Path(path)], int(f.key.split(":", 1)[1]))

    def _on_remove_clicked(self) -> None:
        f = self.files.current_row()
        if f is not None and not f.key.startswith("school:"):
            self.undo_requested.emit(f.key, f"文件“{f.name}”")
