"""A finding: one unmet requirement, with who, the numbers and what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

BLOCKING = "blocking"
WARNING = "warning"
SEVERITY_LABEL = {BLOCKING: "必须处理", WARNING: "提醒"}


@dataclass(frozen=True)
class Finding:
    code: str                      # stable rule id, e.g. hours.category
    severity: str                  # blocking / warning
    message: str                   # 王芳：实践应用学时 18/25
    action: str                    # what to do about it
    page: str                      # the app page that fixes it (教师, 学时与活动, 微能力, …)
    teacher_id: int | None = None
    teacher_name: str = ""
    record_id: int | None = None
    have: float | None = None
    need: float | None = None
    data: dict = field(default_factory=dict)
    rule: str = ""                 # the programme rule it follows (hours.total_min, school.teams …)
    basis: str = ""                # 依据: the document and the sentence that rule comes from

    @property
    def is_blocking(self) -> bool:
        return self.severity == BLOCKING

    def to_dict(self) -> dict:
        d = asdict(self)
        d["severity_label"] = SEVERITY_LABEL[self.severity]
        return d
