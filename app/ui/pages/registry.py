"""Which pages the window shows, in navigation order.

To add or replace a page, edit PAGES: each entry is the title and the
"module:Class" paths to try in order. A module that does not exist is skipped
(so a stand-in is used until the real page lands); a module that exists but
fails to import is an error, not silently replaced. See app.ui.pages.base for
what a page class must provide.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

_P = "app.ui.pages.placeholder_pages"


@dataclass(frozen=True)
class PageSpec:
    title: str
    candidates: tuple[str, ...]
    shortcut: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("首页", ("app.ui.dashboard.dashboard_page:DashboardPage",), "Ctrl+1"),
    PageSpec("学校信息", ("app.ui.school.school_page:SchoolPage",), "Ctrl+2"),
    PageSpec("项目方案", ("app.ui.programme.programme_page:ProgrammePage",), "Ctrl+Shift+2"),
    PageSpec("团队", ("app.ui.teams.teams_page:TeamsPage",), "Ctrl+3"),
    PageSpec("教师", ("app.ui.teachers.teacher_page:TeacherPage",), "Ctrl+4"),
    PageSpec("微能力", ("app.ui.micro.micro_page:MicroPage", f"{_P}:MicroPlaceholder"), "Ctrl+5"),
    PageSpec("学时与活动", ("app.ui.hours.hours_page:HoursPage",), "Ctrl+6"),
    PageSpec("方案与计划", ("app.ui.plans.plans_page:PlansPage",), "Ctrl+7"),
    PageSpec("证据材料", ("app.ui.evidence.evidence_page:EvidencePage", f"{_P}:EvidencePlaceholder"), "Ctrl+8"),
    PageSpec("校本考核", ("app.ui.assessment.assessment_page:AssessmentPage", f"{_P}:AssessmentPlaceholder"),
             "Ctrl+9"),
    PageSpec("导出与打印", ("app.ui.export.export_page:ExportPage", f"{_P}:ExportPlaceholder"), "Ctrl+0"),
)

TITLES: tuple[str, ...] = tuple(p.title for p in PAGES)


def spec_for(title: str) -> PageSpec:
    for spec in PAGES:
        if spec.title == title:
            return spec
    raise KeyError(f"no page titled {title!r}; pages: {', '.join(TITLES)}")


def page_class(spec: PageSpec) -> type:
    """The first candidate whose module exists."""
    for candidate in spec.candidates:
        module_name, class_name = candidate.split(":")
        try:
            found = importlib.util.find_spec(module_name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            continue
        return getattr(importlib.import_module(module_name), class_name)
    raise LookupError(f"no module found for page {spec.title!r}")
