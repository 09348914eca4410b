"""Typed fingerprints and seal codes: checked as typed, named by group; keys replaced on purpose only."""

from __future__ import annotations

import pytest

from app.errors import RuleViolation, ValidationError
from app.services import keys
from app.services.district import paper, register
from app.services.district.office import init_district, folder_kind
from app.services.workspace import Workspace

FP = "3F2A-91C0-0B7E-4D21-9AC3-55E0-1F2B-C4D8"


@pytest.mark.parametrize("typed", [FP, FP.lower(), FP.replace("-", " "), FP.replace("-", ""), f"  {FP}\n",
                                   FP.replace("-", "－"), "3f2a91c0 0b7e4d21 9ac355e0 1f2bc4d8"])
def test_the_same_fingerprint_however_it_is_typed(typed):
    assert register.parse_fingerprint(typed) == FP


def test_a_wrong_character_is_named_with_its_group():
    state = register.check_typed("3F2A-91C0-0B7E-4D2I")
    assert not state.ok and "第 4 组" in state.problem and "“I”" in state.problem and "数字 1" in state.problem
    assert register.check_typed("3F2A-9").text == "3F2A-9" and not register.check_typed("3F2A-9").problem
    with pytest.raises(ValidationError, match="只输入了 20 位"):
        register.parse_fingerprint(FP[:24])
    with pytest.raises(ValidationError, match="多了 1 位"):
        register.parse_fingerprint(FP + "A")


def test_a_different_key_needs_replace_and_retires_the_old(district, tmp_path):
    register.add_key(district, "S1", fingerprint=FP, name="一小")
    again, what = register.add_key(district, "S1", fingerprint=FP.lower())
    assert "已登记过" in what
    other = "0" * 32
    with pytest.raises(RuleViolation, match="已登记公钥指纹 3F2A"):
        register.add_key(district, "S1", fingerprint=other)
    row, what = register.add_key(district, "S1", fingerprint=other, replace=True)
    assert "已停用" in what
    rows = register.list_keys(district)
    assert [(r.fingerprint == FP, r.current) for r in rows] == [(True, False), (False, True)]


def test_a_key_file_and_a_typed_fingerprint_must_agree(district, tmp_path):
    school = Workspace.open(tmp_path / "school")
    try:
        pub = keys.export_public(school, tmp_path / "school.pub")
        fp = keys.school_key(school).fingerprint
    finally:
        school.close()
    with pytest.raises(ValidationError, match="不一致"):
        register.add_key(district, "S9", fingerprint=FP, key_text=str(pub))
    row, _ = register.add_key(district, "S9", fingerprint=fp, key_text=str(pub))
    assert row.has_public_key and row.fingerprint == fp


def test_a_district_folder_is_neither_a_school_nor_initialised_twice(district, tmp_path):
    from app.services.school import init_school
    assert folder_kind(district) == "district"
    with pytest.raises(RuleViolation, match="已经是区县"):
        init_district(district, name="另一个", code="X")
    with pytest.raises(RuleViolation, match="区县项目办的数据文件夹"):
        init_school(district, name="某校", code="S1", environment="混合", programme_id="national-2.0")
    school = Workspace.open(tmp_path / "school2")
    try:
        init_school(school, name="某校", code="S1", environment="混合", programme_id="national-2.0")
        with pytest.raises(RuleViolation, match="已有学校的数据"):
            init_district(school, name="区", code="D1")
        from app.services.district.office import NotDistrictError
        from app.services.district.queries import list_units
        with pytest.raises(NotDistrictError, match="不是区县项目办"):
            list_units(school)
    finally:
        school.close()


@pytest.mark.parametrize("text,problem", [("0A51-283D", "只输入了 8 位"), ("0A51-283D-ABB5-7B42-F9O8-272C-0950-2C84", "第 5 组"),
                                          ("TSB1;S=1;H=abc;K=1", "64 位")])
def test_paper_codes_that_cannot_be_right_say_why(district, text, problem):
    with pytest.raises(ValidationError, match=problem):
        paper.tie_paper(district, text)
