"""Receipts the school can check (minisign too), versions, duplicates and the same person in two schools."""

from __future__ import annotations

import json

import pytest

from app.errors import RuleViolation, ValidationError
from app.services import keys
from app.services.district import intake, receipts, register
from app.services.district.duplicates import same_persons
from app.services.district.queries import list_bundles
from app.services.district_link import import_receipt, receipt_status, trust_district, trusted_district
from tests.district.conftest import export, minisign_verify, small_school

ID_A = "110105198001010019"        # valid check digits (GB 11643)


def _valid_id(first17: str) -> str:
    from app.services.validation.id_number import check_char
    return first17 + check_char(first17)


@pytest.fixture
def school(tmp_path, district):
    ws = small_school(tmp_path / "a", "A01", "甲小学", seed=1)
    register.add_key(district, "A01", fingerprint=keys.school_key(ws).fingerprint)
    yield ws
    ws.close()


def test_a_receipt_verifies_and_is_refused_when_changed_or_from_another_district(school, district, tmp_path):
    bag = export(school, tmp_path / "stick")
    assert receipt_status(school) == "已导出，尚未收到区县回执"
    assert intake.ingest(district, [bag.path]).outcomes[0].outcome == "接收"
    r = receipts.issue_receipt(district, "A01", tmp_path / "home")
    ok, out = minisign_verify(r.path, r.public_key)
    assert ok and "seal:" + bag.seal.seal_code in out
    with pytest.raises(RuleViolation, match="还没有登记区县公钥"):
        import_receipt(school, r.path)                          # no key known, none given
    # a tampered copy is refused
    changed = tmp_path / "changed" / r.path.name
    changed.parent.mkdir()
    doc = json.loads(r.path.read_text("utf-8"))
    doc["received_at"] = "2020-01-01T00:00:00"
    changed.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (changed.parent / (r.path.name + ".minisig")).write_bytes(r.signature.read_bytes())
    (changed.parent / receipts.PUB_NAME).write_bytes(r.public_key.read_bytes())
    with pytest.raises(RuleViolation, match="签名核对失败"):
        import_receipt(school, changed, district_key=str(r.public_key))
    # a typed fingerprint that is not the district's: refused, nothing trusted
    with pytest.raises(ValidationError, match="没有找到指纹"):
        import_receipt(school, r.path, district_key="0" * 32)
    assert trusted_district(school) is None
    row = import_receipt(school, r.path, district_key=keys.school_key(district).fingerprint)
    assert row.version == 1 and receipt_status(school) == f"区县已接收 · {row.received_at[:10]}"
    assert trusted_district(school).fingerprint == keys.school_key(district).fingerprint
    # another district's receipt is refused against the key the school registered
    from app.services.district.office import init_district
    from app.services.workspace import Workspace
    other = Workspace.open(tmp_path / "other-district")
    try:
        init_district(other, name="外区", code="D2")
        register.add_key(other, "A01", fingerprint=keys.school_key(school).fingerprint)
        intake.ingest(other, [bag.path])
        foreign = receipts.issue_receipt(other, "A01", tmp_path / "foreign")
    finally:
        other.close()
    with pytest.raises(RuleViolation, match="签名核对失败"):
        import_receipt(school, foreign.path)
    with pytest.raises(RuleViolation, match="不一致"):
        import_receipt(school, foreign.path, district_key=str(foreign.public_key))
    with pytest.raises(RuleViolation, match="区县确实更换了密钥"):
        trust_district(school, str(foreign.public_key))


def test_a_newer_export_without_a_receipt_says_so(school, district, tmp_path):
    bag = export(school, tmp_path / "s1")
    intake.ingest(district, [bag.path])
    r = receipts.issue_receipt(district, "A01", tmp_path / "home")
    import_receipt(school, r.path, district_key=str(r.public_key))
    export(school, tmp_path / "s2")
    assert receipt_status(school).startswith("区县已接收上一版 · ")


def test_versions_warn_when_the_chain_is_broken(school, district, tmp_path):
    from app.models import AuditEntry
    from sqlmodel import delete
    v1 = export(school, tmp_path / "s1")
    intake.ingest(district, [v1.path])
    with school.sessions() as s:                       # the school reinstalled: its export log is gone
        s.exec(delete(AuditEntry).where(AuditEntry.action == "export"))
        s.commit()
    from datetime import date

    from app.services import hours
    from app.services.teachers import list_teachers
    hours.add_hours(school, list_teachers(school)[0].id, category="实践应用", hours=2, on_date=date(2026, 11, 1))
    v2 = export(school, tmp_path / "s2")
    assert "Previous-Bundle-Code" not in (v2.path / "bag-info.txt").read_text("utf-8")
    o = intake.ingest(district, [v2.path]).outcomes[0]
    assert o.outcome == "接收" and o.version == 2 and any("没有注明上一版本" in w for w in o.details)
    rows = list_bundles(district, unit_code="A01")
    assert [r.current for r in rows] == [False, True] and rows[1].changes_summary == "1 人学时变化"


def test_the_same_person_in_two_schools(tmp_path, district):
    same = _valid_id("11010519800101001")
    a = small_school(tmp_path / "a", "A01", "甲小学", seed=1, id_numbers=[same])
    b = small_school(tmp_path / "b", "B02", "乙小学", seed=2, id_numbers=[same])
    try:
        from app.services.teachers import list_teachers, update_teacher
        # the same person, spelt the same, in both rosters
        update_teacher(b, list_teachers(b)[0].id, name=list_teachers(a)[0].name)
        for ws, code in ((a, "A01"), (b, "B02")):
            register.add_key(district, code, fingerprint=keys.school_key(ws).fingerprint)
        masked = [export(a, tmp_path / "m"), export(b, tmp_path / "m")]
        intake.ingest(district, [tmp_path / "m"])
        found = same_persons(district)
        assert [p.kind for p in found] == ["疑似同一人"] and "隐去" in found[0].note
        full = [export(a, tmp_path / "f", unmask=True), export(b, tmp_path / "f", unmask=True)]
        intake.ingest(district, [tmp_path / "f"])
        found = same_persons(district)
        assert [p.kind for p in found] == ["身份证号相同"]
        assert {u for u, _s, _n in found[0].holders} == {"A01", "B02"}
        from app.models.district import BundlePerson
        from sqlmodel import select
        with district.sessions() as s:                 # the full number itself is never stored
            assert not any(same in (p.masked_id + p.id_digest) for p in s.exec(select(BundlePerson)))
        del masked, full
    finally:
        a.close()
        b.close()


def test_the_districts_signed_programme_is_checked_and_named_in_the_bundle(school, district, tmp_path):
    from app.services.district.publish import publish_programme
    from app.services.district.queries import bundle_detail
    from app.services.district_link import import_published_programme
    from app.services.programmes.adjust import set_rule
    set_rule(district, "hours.total_min", 60, note="本区要求 60 学时")
    pub = publish_programme(district, tmp_path / "pub")
    ok, out = minisign_verify(pub.path, pub.public_key)
    assert ok and f"programme:{pub.hash}" in out
    forged = tmp_path / "forged"
    forged.mkdir()
    for f in (pub.path, pub.signature, pub.public_key):
        (forged / f.name).write_bytes(f.read_bytes())
    text = (forged / pub.path.name).read_text("utf-8").replace("60", "20", 1)
    (forged / pub.path.name).write_text(text, encoding="utf-8")
    with pytest.raises(RuleViolation, match="签名核对失败"):
        import_published_programme(school, forged / pub.path.name, district_key=str(pub.public_key))
    import_published_programme(school, pub.path, district_key=keys.school_key(district).fingerprint)
    bag = export(school, tmp_path / "stick")
    info = (bag.path / "bag-info.txt").read_text("utf-8")
    assert f"Tisheng-District-Program-Hash: {pub.hash}" in info and f"Tisheng-Program-Hash: {pub.hash}" in info
    o = intake.ingest(district, [bag.path]).outcomes[0]
    rc = bundle_detail(district, o.bundle_id).recheck
    assert rc["school_programme"]["same_as_district"] and rc["differences"] == 0
