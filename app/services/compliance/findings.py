"""A finding: one unmet requirement, with who, the numbers and what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

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
        """What dataclasses.asdict gives, and the label; built directly (asdict deep-copies
        every value through a recursive helper: 0.15 s for a large school's 7,000 findings)."""
        d = {name: getattr(self, name) for name in _FIELDS}
        d["data"] = _copied(self.data)
        d["severity_label"] = SEVERITY_LABEL[self.severity]
        return d


_FIELDS = tuple(f.name for f in fields(Finding))
_ATOMIC = (str, int, float, bool, type(None))


@dataclass
class _Box:
    value: object


def _copied(value):
    """A finding's data copied as asdict copies it: plain values kept, dicts and lists copied
    all the way down, anything else (tuples, dates, dataclasses) handed to asdict itself."""
    kind = type(value)
    if kind in _ATOMIC:
        return value
    if kind is dict:
        return {k: _copied(v) for k, v in value.items()}
    if kind is list:
        return [_copied(v) for v in value]
    return asdict(_Box(value))["value"]
