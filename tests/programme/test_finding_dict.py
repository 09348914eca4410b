"""Finding.to_dict: what dataclasses.asdict gives (and the label), built without asdict's
recursion; the data is a copy the caller may change."""

from dataclasses import asdict, dataclass
from datetime import date

import pytest

from app.services.compliance.findings import BLOCKING, WARNING, Finding


@dataclass
class _Point:
    code: str
    hours: float


CASES = [
    Finding("hours.total", BLOCKING, "王芳：学时 40/50", "补录学时", "学时与活动"),
    Finding("hours.category", WARNING, "李雷：实践学时 18/25", "补录", "学时与活动", teacher_id=7,
            teacher_name="李雷", record_id=3, have=18.0, need=25, data={"category": "实践", "n": 2},
            rule="hours.category_min", basis="《方案》：实践应用不少于25学时。"),
    Finding("micro.count", BLOCKING, "x", "y", "微能力", data={
        "codes": ["A1", "B2"], "nested": {"deep": [1, {"k": None}], "flag": True},
        "pair": ("A1", 2), "when": date(2026, 12, 7), "point": _Point("A1", 2.5), "empty": {}}),
]


@pytest.mark.parametrize("finding", CASES, ids=[f.code for f in CASES])
def test_to_dict_is_asdict_and_the_label(finding):
    expected = asdict(finding)
    expected["severity_label"] = "必须处理" if finding.severity == BLOCKING else "提醒"
    got = finding.to_dict()
    assert got == expected
    assert list(got) == list(expected)                     # same keys, same order (the JSON reads the same)
    assert type(got["data"].get("pair", ())) is tuple


def test_the_data_is_copied_all_the_way_down():
    f = CASES[2]
    d = f.to_dict()
    d["data"]["codes"].append("C3")
    d["data"]["nested"]["deep"][1]["k"] = "changed"
    d["data"]["point"]["hours"] = 0
    assert f.data["codes"] == ["A1", "B2"]
    assert f.data["nested"]["deep"][1] == {"k": None}
    assert f.data["point"].hours == 2.5
