"""At start-up, a damaged database: say what happened and offer the newest backup that passes its check."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.services.startup import DatabaseDamagedError


def damaged_text(exc: DatabaseDamagedError) -> str:
    """The offer, in the user's words: what is wrong, which backup, which changes may be missing."""
    b = exc.candidate
    when = f"{b.created:%Y年%m月%d日 %H:%M}"
    day = f"{b.created:%Y年%m月%d日}"
    return ("本校的数据文件已损坏（检查结果见“详细信息”）。为防止损坏扩大，本软件没有打开它，也没有作任何更改。\n\n"
            f"可以从最近一份完好的备份恢复：{when} 的{b.label}（{b.path.name}）。\n"
            f"恢复后，{when} 之后所做的更改会缺失（主要是 {day} 及以后录入的内容），请核对后重新录入。\n\n"
            "损坏的数据文件会先另存到数据文件夹的 damaged 文件夹中，不会被覆盖或删除，"
            "需要时可交给技术支持尝试找回。\n\n要现在从这份备份恢复吗？")


def ask_restore_damaged(parent: QWidget | None, exc: DatabaseDamagedError) -> bool:
    """True if the user chose 从备份恢复 (exc.candidate must not be None)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "数据文件已损坏", damaged_text(exc), parent=parent)
    restore = box.addButton("从备份恢复", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.setDetailedText(f"数据文件：{exc.db}\n检查结果：{exc.problem}")
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore
