"""One teacher's required items and their files: attach (drop or dialog), open, replace, remove."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSplitter, QTableView, QVBoxLayout, QWidget)

from app.services.missing_evidence import AddFilesResult, ItemStatus, TeacherEvidence
from app.ui.evidence.drop_zone import DropZone, local_files
from app.ui.evidence.evidence_models import EvidenceFileModel, FileCol, ItemCol, ItemStatusModel
from app.ui.widgets import page_kit
from app.ui.widgets.selection import SelectionFollower, selected_row
from app.ui.widgets.table_model import SearchProxy


def _table(model) -> tuple[QTableView, SearchProxy]:
    proxy = SearchProxy()
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setStretchLastSection(True)
    return view, proxy


class ItemTableView(QTableView):
    """Files dropped on a row go to that row's item."""

    files_dropped_on = Signal(object, list)    # ItemStatus, list[Path]

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)

    def dragEnterEvent(self, event) -> None:
        event.acceptProposedAction() if local_files(event.mimeData()) else event.ignore()

    def dragMoveEvent(self, event) -> None:
        idx = self.indexAt(event.position().toPoint())
        if idx.isValid() and event.mimeData().hasUrls():
            self.selectRow(idx.row())
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        idx = self.indexAt(event.position().toPoint())
        files = local_files(event.mimeData())
        if not idx.isValid() or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped_on.emit(idx.data(ItemStatusModel.ROW_ROLE), files)


class TeacherEvidencePanel(QWidget):
    changed = Signal(int)        # teacher id, after any add / replace / remove

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self._data: TeacherEvidence | None = None
        self._keep_item: int | None = None
        self._build_ui()
        self._connect_signals()
        self._show(None)

    def _build_ui(self) -> None:
        self.title = QLabel()
        self.title.setStyleSheet("font-size:16px;font-weight:bold")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.item_model = ItemStatusModel(self)
        self.item_proxy = SearchProxy(self)
        self.item_proxy.setSourceModel(self.item_model)
        self.item_view = ItemTableView()
        self.item_view.setModel(self.item_proxy)
        self.item_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.item_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.item_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.item_view.verticalHeader().hide()
        self.item_view.setAlternatingRowColors(True)
        ih = self.item_view.horizontalHeader()
        ih.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        ih.setSectionResizeMode(ItemCol.ITEM, QHeaderView.ResizeMode.Stretch)
        self.file_model = EvidenceFileModel(self)
        self.file_view, self.file_proxy = _table(self.file_model)
        self.file_view.setSortingEnabled(True)
        fh = self.file_view.horizontalHeader()
        fh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        fh.setSectionResizeMode(FileCol.NAME, QHeaderView.ResizeMode.Stretch)
        self.drop_zone = DropZone()
        self.add_button = QPushButton(self.tr("添加文件…"))
        self.open_button = QPushButton(self.tr("打开"))
        self.replace_button = QPushButton(self.tr("替换…"))
        self.remove_button = QPushButton(self.tr("删除"))
        self.notice = QLabel()
        self.notice.setObjectName("evidenceNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background:#fff4d6;border:1px solid #e0c070;border-radius:4px;padding:4px")
        self.notice.hide()
        files_box = QWidget()
        fl = QVBoxLayout(files_box)
        fl.setContentsMargins(0, 0, 0, 0)
        self.files_title = QLabel()
        fl.addWidget(self.files_title)
        fl.addWidget(self.file_view, 1)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.open_button, self.replace_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        fl.addLayout(buttons)
        fl.addWidget(self.drop_zone)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.item_view)
        split.addWidget(files_box)
        split.setSizes([300, 300])
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        lay.addWidget(self.notice)
        lay.addWidget(split, 1)

    def _connect_signals(self) -> None:
        self._item_follower = SelectionFollower(self.item_view, self._on_item_current_changed,
                                                ItemStatusModel.ROW_ROLE)
        self.item_view.files_dropped_on.connect(self._on_files_dropped_on_item)
        self.file_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.file_view.doubleClicked.connect(self._on_open_clicked)
        self.drop_zone.files_dropped.connect(self._on_zone_files_dropped)
        self.drop_zone.browse_requested.connect(self._on_add_clicked)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.replace_button.clicked.connect(self._on_replace_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)

    # public ---------------------------------------------------------------------------------

    def load(self, teacher_id: int, *, keep_item: int | None = None) -> None:
        self._keep_item = keep_item
        page_kit.run(self, lambda _p: self.api.evidence.teacher_evidence(teacher_id), self._show)

    def current(self) -> TeacherEvidence | None:
        return self._data

    def select_item(self, item_id: int) -> bool:
        for r in range(self.item_proxy.rowCount()):
            idx = self.item_proxy.index(r, 0)
            if idx.data(ItemStatusModel.ROW_ROLE).item.id == item_id:
                self.item_view.setCurrentIndex(idx)
                self.item_view.selectRow(r)
                return True
        return False

    def current_item(self) -> ItemStatus | None:
        return selected_row(self.item_view, ItemStatusModel.ROW_ROLE)

    def selected_file(self):
        rows = self.file_view.selectionModel().selectedRows()
        return rows[0].data(EvidenceFileModel.ROW_ROLE) if rows else None

    def attach(self, item: ItemStatus, paths: list[Path]) -> None:
        """Copy files into the store for one item, in the background with a progress bar."""
        d = self._data
        if d is None or not paths:
            return
        names = "、".join(p.name for p in paths[:3]) + (f" 等 {len(paths)} 个文件" if len(paths) > 3 else "")
        page_kit.run(self, lambda p: self.api.evidence.add_files(d.teacher_id, item.code, str(item.item.seq), paths, p),
                     lambda r: self._after_add(item, r), title=f"正在添加 {names}…", cancellable=True)

    # display --------------------------------------------------------------------------------

    def _show(self, d: TeacherEvidence | None) -> None:
        self._data = d
        keep = self._keep_item if self._keep_item is not None else (self.current_item().item.id if
                                                                  d and self.current_item() else None)
        self._keep_item = None
        if d is None:
            self.title.setText(self.tr("请在左侧选择一位教师"))
            self.summary.clear()
            self.item_model.set_rows([])
            self.file_model.set_rows([])
            self._on_item_current_changed()
            return
        self.title.setText(d.name + (f"（工号 {d.staff_no}）" if d.staff_no else ""))
        missing = sum(1 for i in d.items if i.state == "缺")
        if d.exempt_reason:
            text = f"{d.name} 免修（{d.exempt_reason}），无需提交证据。"
        elif not d.items:
            text = "该教师尚未选择能力点。请先在“微能力”页面选点，然后在这里提交证据。"
        else:
            text = f"需提交 {len(d.items)} 项证据：缺 {missing} 项，已提交 {len(d.items) - missing} 项。"
        if d.kept_aside:
            text += f"（另有 {d.kept_aside} 个文件属于已取消的能力点，已保留但不计入。）"
        self.summary.setText(text)
        self.item_model.set_rows(d.items)
        if keep is None or not self.select_item(keep):
            first_missing = next((i for i in d.items if i.state == "缺"), d.items[0] if d.items else None)
            if first_missing is not None:
                self.select_item(first_missing.item.id)
        self._on_item_current_changed()

    def _on_item_current_changed(self, *_args) -> None:
        item, d = self.current_item(), self._data
        if item is None or d is None:
            self.file_model.set_rows([])
            self.files_title.setText("")
            self.drop_zone.set_target("")
        else:
            self.file_model.set_rows([f for f in d.files if f.item_id == item.item.id])
            label = f"{item.point_code or '个人'}-{item.item.seq} {item.item.title}"
            self.files_title.setText(f"<b>{html.escape(label)}</b> 的文件（要求：{'/'.join(item.item.kinds) or '不限'}）")
            self.drop_zone.set_target(label)
        self._update_buttons()

    def _update_buttons(self, *_args) -> None:
        has_item = self.current_item() is not None
        has_file = self.selected_file() is not None
        self.add_button.setEnabled(has_item)
        for b in (self.open_button, self.replace_button, self.remove_button):
            b.setEnabled(has_file)

    def _show_notice(self, lines: list[str]) -> None:
        if lines:
            self.notice.setText("<b>请注意：</b>" + "<br>".join(html.escape(x) for x in lines))
            self.notice.show()
        else:
            self.notice.hide()

    # slots ----------------------------------------------------------------------------------

    def _on_zone_files_dropped(self, paths: list) -> None:
        item = self.current_item()
        if item is not None:
            self.attach(item, paths)

    def _on_files_dropped_on_item(self, item: ItemStatus, paths: list) -> None:
        self.attach(item, paths)

    def _on_add_clicked(self) -> None:
        item = self.current_item()
        if item is None:
            return
        files, _ = QFileDialog.getOpenFileNames(self, f"选择“{item.item.title}”的文件（可多选）")
        if files:
            self.attach(item, [Path(f) for f in files])

    def _after_add(self, item: ItemStatus, r: AddFilesResult) -> None:
        lines = list(r.warnings)
        if lines:
            lines.append("以上提醒不影响保存；如区县平台有要求，请按要求压缩或转换后替换。")
        lines += [why for _name, why in r.skipped]         # the same file twice: said, not added again
        lines += [f"“{name}”未能添加：{why}" for name, why in r.failed]
        if r.cancelled:
            lines.append("已取消：正在复制的文件未添加，之前已完成的文件已保存。")
        self._show_notice(lines)
        self.last_result = r
        if r.added:
            self.changed.emit(self._data.teacher_id)
        self.load(self._data.teacher_id, keep_item=item.item.id)

    def _on_open_clicked(self, *_args) -> None:
        f = self.selected_file()
        if f is None:
            return
        page_kit.open_stored_file(self, self.api.evidence, f.sha256, f.original_name)

    def _on_replace_clicked(self) -> None:
        f, d = self.selected_file(), self._data
        if f is None or d is None:
            return
        name, _ = QFileDialog.getOpenFileName(self, f"选择用来替换“{f.original_name}”的文件")
        if not name:
            return
        item_id = f.item_id
        page_kit.run(self, lambda p: self.api.evidence.replace_file(f, Path(name), p),
                     lambda row: self._after_change(item_id, list(row.warnings)),
                     title=f"正在替换为 {Path(name).name}…", cancellable=True)

    def _on_remove_clicked(self) -> None:
        f, d = self.selected_file(), self._data
        if f is None or d is None:
            return
        if not page_kit.ask(self, self.tr("删除证据文件"),
                            f"从“{f.item_title}”中删除“{f.original_name}”？\n\n"
                            "删除后该项目可能变为“缺”。若其他记录仍在使用同一文件，证据库会继续保留它。"):
            return
        item_id = f.item_id
        page_kit.run(self, lambda _p: self.api.evidence.remove_evidence(f.id),
                     lambda _r: self._after_change(item_id, []))

    def _after_change(self, item_id: int, warnings: list[str]) -> None:
        self._show_notice(warnings)
        self.changed.emit(self._data.teacher_id)
        self.load(self._data.teacher_id, keep_item=item_id)
