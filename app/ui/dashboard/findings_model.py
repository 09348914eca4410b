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
        Column("问题", lambda f: f.message, width=400, stretch=True),
        Column("怎么办", lambda f: f.action, width=330),
        Column("去处理", lambda f: f"{f.page} ›", width=100, colour=lambda f: ACCENT),
    )

    @staticmethod
    def key(finding):
        return (finding.code, finding.teacher_id, finding.record_id, finding.message)
