"""The findings table of 首页: every unmet requirement and where to fix it."""

from __future__ import annotations

from app.services.compliance.findings import SEVERITY_LABEL
from app.ui.style import ACCENT, BAD, WARN
from app.ui.widgets.table_model import Column, RowTableModel


class FindingsModel(RowTableModel):
    COLUMNS = (
        Column("级别", lambda f: SEVERITY_LABEL.get(f.severity, f.severity), width=72,
               sort=lambda f: (not f.is_blocking, f.message),
               colour=lambda f: BAD if f.is_blocking else WARN),
        Column("问题", lambda f: f.message, width=380, stretch=True,
               tooltip=lambda f: f"{f.message}\n依据：{f.basis}" if f.basis else f.message),
        Column("怎么办", lambda f: f.action, width=280),
        Column("依据", lambda f: f.basis, width=170, tooltip=lambda f: f.basis),
        Column("去处理", lambda f: f"{f.page} ›", width=100, colour=lambda f: ACCENT),
    )

    @staticmethod
    def key(finding):
        return (finding.code, finding.teacher_id, finding.record_id, finding.message)
