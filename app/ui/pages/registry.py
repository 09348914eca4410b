"""Which pages the window shows, in navigation order.

To add or replace a page, edit PAGES: each entry is the title, the
"module:Class" path of its page and its shortcut. A page that cannot be
imported is an error, never silently replaced by a stand-in. See
app.ui.pages.base for what a page class must provide.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    title: str
    page: str                   # "module:Class"
    shortcut: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("首页", "app.ui.dashboard.dashboard_page:DashboardPage", "Ctrl+1"),
    PageSpec("学校信息", "app.ui.school.school_page:SchoolPage", "Ctrl+2"),
    PageSpec("项目方案", "app.ui.programme.programme_page:ProgrammePage", "Ctrl+Shift+2"),
    PageSpec("团队", "app.ui.teams.teams_page:TeamsPage", "Ctrl+3"),
    PageSpec("教师", "app.ui.teachers.teacher_page:TeacherPage", "Ctrl+4"),
    PageSpec("微能力", "app.ui.micro.micro_page:MicroPage", "Ctrl+5"),
    PageSpec("学时与活动", "app.ui.hours.hours_page:HoursPage", "Ctrl+6"),
    PageSpec("方案与计划", "app.ui.plans.plans_page:PlansPage", "Ctrl+7"),
    PageSpec("证据材料", "app.ui.evidence.evidence_page:EvidencePage", "Ctrl+8"),
    PageSpec("校本考核", "app.ui.assessment.assessment_page:AssessmentPage", "Ctrl+9"),
    PageSpec("导出与打印", "app.ui.export.export_page:ExportPage", "Ctrl+0"),
)

TITLES: tuple[str, ...] = tuple(p.title for p in PAGES)


def spec_for(title: str) -> PageSpec:
    for spec in PAGES:
        if spec.title == title:
            return spec
    raise KeyError(f"no page titled {title!r}; pages: {', '.join(TITLES)}")


def page_class(spec: PageSpec) -> type:
    """The page's class (imported on first use: pages load only when shown)."""
    module_name, class_name = spec.page.split(":")
    return getattr(importlib.import_module(module_name), class_name)
