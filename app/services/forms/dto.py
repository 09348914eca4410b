"""What the forms print: plain frozen dataclasses, no database, no reportlab.

The data layer (data.py) fills these from a Snapshot; the renderers turn them
into PDF pages. Tests and the benchmark build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.vocab import FORM_KINDS as KINDS  # noqa: F401 (defined there for the command line)
from app.vocab import KIND_KEY, KIND_NOTICE, KIND_PERSONAL, KIND_SUMMARY  # noqa: F401

FORM_TITLES = {
    KIND_PERSONAL: "教师个人签字确认表",
    KIND_SUMMARY: "学校汇总确认表",
    KIND_NOTICE: "校本考核结果公示表",
    KIND_KEY: "学校密钥登记表",
}


@dataclass(frozen=True)
class SchoolInfo:
    name: str
    code: str = ""
    district: str = ""
    stage: str = ""
    environment: str = ""
    school_year: str = ""
    programme: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class ItemLine:
    """One required evidence item of a point (or a per-teacher item) and its grade."""
    label: str                       # 1 教学设计方案
    files: tuple[str, ...] = ()      # original file names
    grade: str = ""                  # latest grade; "" = not graded
    reviewer: str = ""
    round: int = 0                   # 2+ = re-assessed after 帮扶


@dataclass(frozen=True)
class PointBlock:
    code: str                        # "A1"; "" for the per-teacher items block
    name: str
    dimension: str = ""
    result: str = ""
    items: tuple[ItemLine, ...] = ()


@dataclass(frozen=True)
class HoursLine:
    label: str                       # 网络研修 / 合计 / 实践应用占比 …
    required: str                    # "≥25" or "—"
    done: str                        # "26" / "52%"
    ok: bool | None = None           # None = no requirement


@dataclass(frozen=True)
class TeacherForm:
    teacher_id: int
    name: str
    staff_no: str = ""
    id_masked: str = ""
    gender: str = ""
    subject: str = ""
    stage: str = ""
    group: str = ""
    teaching_point: str = ""
    staff_type: str = ""
    title: str = ""
    status: str = ""
    exempt_reason: str = ""
    points: tuple[PointBlock, ...] = ()
    hours: tuple[HoursLine, ...] = ()
    hours_total: float = 0.0
    result: str = ""                 # overall result (优秀/合格/不合格/待评/未提交/免修/…)
    result_note: str = ""            # e.g. 经一对一帮扶后复评合格
    excellent_cases: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()   # blocking findings still open (printed when incomplete)


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    requirement: str = ""
    ok: bool | None = None


@dataclass(frozen=True)
class HoursSummaryLine:
    category: str
    minimum: str                     # per-teacher minimum, "≥25" or "—"
    total: str                       # school total
    average: str                     # per teacher
    meeting: str                     # teachers meeting the minimum, "48/50"


@dataclass(frozen=True)
class TeamLine:
    kind: str
    name: str
    leader: str = ""
    members: int = 0
    duty: str = ""


@dataclass(frozen=True)
class PlanLine:
    kind: str
    title: str = ""
    status: str = ""                 # 草稿 / 已提交 / 已备案; "" = missing
    filed_on: str = ""
    required: bool = False
    ok: bool | None = None


@dataclass(frozen=True)
class CourseLine:
    title: str
    semester: str = ""
    hours: str = ""
    lead: str = ""
    status: str = ""


@dataclass(frozen=True)
class SummaryForm:
    metrics: tuple[Metric, ...] = ()
    hours: tuple[HoursSummaryLine, ...] = ()
    teams: tuple[TeamLine, ...] = ()
    plans: tuple[PlanLine, ...] = ()
    courses: tuple[CourseLine, ...] = ()
    open_problems: int = 0           # blocking findings at print time
    problem_samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoticeRow:
    name: str
    staff_no: str = ""
    subject: str = ""
    group: str = ""
    points: str = ""
    hours: str = ""
    result: str = ""
    note: str = ""


@dataclass(frozen=True)
class NoticeForm:
    rows: tuple[NoticeRow, ...] = ()
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class KeyForm:
    fingerprint: str
    public_key_b64: str
    pub_file_text: str = ""
    key_id_hex: str = ""
    created_at: str = ""


@dataclass(frozen=True)
class FormSet:
    """Everything one PDF prints. Forms are printed in the order 汇总, 个人…, 公示, 密钥."""
    school: SchoolInfo
    printed_on: date
    summary: SummaryForm | None = None
    teachers: tuple[TeacherForm, ...] = ()
    notice: NoticeForm | None = None
    key: KeyForm | None = None
    pass_grades: tuple[str, ...] = ("优秀", "合格")
    notes: tuple[str, ...] = field(default=())   # data-layer warnings carried to the caller
