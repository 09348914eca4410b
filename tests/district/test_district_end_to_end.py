"""Issue 18 "Done when", end to end: five schools made by the app, one district office.

The district registers four keys from fingerprints typed the way people type them, ingests all
five from one stick (the fifth waits for its fingerprint to be confirmed against the paper form),
takes a resubmission as version 2 with what changed, refuses a bundle re-signed with another key
(naming the school's recorded key replacement), finds the video two schools share, ties typed
and scanned seal codes to bundles, and signs receipts that verify with minisign and that the
schools import; the re-check flags the school that relaxed its programme.
"""

from __future__ import annotations

import json
import shutil

import pytest

from app.services import keys
from app.services.district import intake, paper, receipts, register
from app.services.district.county import load_county
from app.services.district.duplicates import duplicate_evidence
from app.services.district.queries import bundle_detail, list_bundles
from app.services.district_link import import_receipt, receipt_status
from app.services.programmes.adjust import set_rule
from tests.district.conftest import VIDEO, export, minisign_verify

pytestmark = pytest.mark.slow


def _typed_like_a_person(fp: str, n: int) -> str:
    """Four ways of typing the same fingerprint from paper."""
    return [fp, fp.lower(), fp.replace("-", " "), fp.replace("-", "")][n % 4]


def test_district_end_to_end(schools, district, tmp_path):
    import hashlib
    stick = tmp_path / "stick"
    s1, s2, s3, s4, s5 = schools
    set_rule(s5, "hours.total_min", 30, by="白云小学教务处", note="本校放宽")       # the relaxed school
    first = [export(ws, stick, full=(ws is s1)) for ws in schools]
    for n, ws in enumerate(schools[:4]):
        code = first[n].bag_name.split("_")[0]
        row, _ = register.add_key(district, code, fingerprint=_typed_like_a_person(keys.school_key(ws).fingerprint, n))
        assert row.fingerprint == keys.school_key(ws).fingerprint

    # one stick, five bundles: four accepted, the fifth waits for its fingerprint
    summary = intake.ingest(district, [stick])
    outcomes = {o.unit_code: o for o in summary.outcomes}
    assert [outcomes[c].outcome for c in ("S001", "S002", "S003", "S004")] == ["接收"] * 4
    assert outcomes["S005"].outcome == "待确认" and keys.school_key(s5).fingerprint in outcomes["S005"].message
    wrong = "0" * 32
    again = intake.ingest(district, [outcomes["S005"].path], intake.IngestOptions(confirm=(wrong,)))
    assert again.outcomes[0].outcome == "待确认" and "不一致" in again.outcomes[0].message
    confirmed = intake.ingest(district, [outcomes["S005"].path],
                              intake.IngestOptions(confirm=(keys.school_key(s5).fingerprint,)))
    assert confirmed.outcomes[0].outcome == "接收" and "已登记该校公钥" in confirmed.outcomes[0].message
    assert any(k.unit_code == "S005" and k.source == register.SOURCE_CONFIRMED for k in register.list_keys(district))
    assert intake.ingest(district, [stick]).count("已接收过") == 5          # nothing is recorded twice

    # the relaxed school is flagged by the district's re-check
    current = {b.unit_code: b for b in list_bundles(district, current_only=True)}
    relaxed = bundle_detail(district, current["S005"].id).recheck
    # (every demo school adds its district's due dates to school.documents; only S005 lowered the hours)
    assert {d["key"] for d in relaxed["school_programme"]["rule_differences"]} == {"hours.total_min", "school.documents"}
    assert any(f["code"] == "hours.total" for f in relaxed["only_district"])
    assert any(v["school"] == "达标" and v["district"] == "未达标" for v in relaxed["verdicts"])
    assert "学校方案有 2 条规则与区县方案不同" in current["S005"].recheck_headline
    assert "区县复核多出" in current["S005"].recheck_headline
    plain = bundle_detail(district, current["S003"].id).recheck
    assert [d["key"] for d in plain["school_programme"]["rule_differences"]] == ["school.documents"]
    assert not plain["only_district"] and not plain["verdicts"]

    # a resubmission: school 1 grades a teacher again and adds a file, then exports version 2
    from app.services import evidence
    from app.services.choices import current_choices
    from app.services.teachers import list_teachers
    t = next(t for t in list_teachers(s1) if current_choices(s1, t.id))
    extra = tmp_path / "补充材料.docx"
    extra.write_bytes("补充的教学设计".encode("utf-8") * 50)
    evidence.add_evidence(s1, t.id, current_choices(s1, t.id)[0].code, "1", extra)
    stick2 = tmp_path / "stick2"
    v2 = export(s1, stick2)
    assert f"Previous-Bundle-Code: {first[0].seal.seal_code}" in (v2.path / "bag-info.txt").read_text("utf-8")
    took = intake.ingest(district, [stick2])
    assert took.outcomes[0].outcome == "接收" and took.outcomes[0].version == 2
    versions = list_bundles(district, unit_code="S001")
    assert [(b.version, b.current) for b in versions] == [(1, False), (2, True)]
    changes = bundle_detail(district, versions[1].id).changes
    assert changes["counts"]["evidence_added"] == 1 and changes["evidence_added"][0]["name"] == t.name

    # a bundle re-signed with another key is refused, and the school's recorded replacement shown
    keys.replace_key(s2, reason="学校电脑重装系统")
    resigned = export(s2, tmp_path / "stick3")
    refused = intake.ingest(district, [resigned.path]).outcomes[0]
    assert refused.outcome == "拒收"
    assert "签名密钥与登记的不一致" in refused.message and keys.school_key(s2).fingerprint in refused.message
    assert "学校电脑重装系统" in refused.message

    # the same video from two schools, found by its hash
    sha = hashlib.sha256(VIDEO).hexdigest()
    dup = next(d for d in duplicate_evidence(district) if d.sha256 == sha)
    assert {h.unit_code for h in dup.holders} == {"S001", "S002"} and dup.schools == 2

    # typed and scanned seal codes
    typed = paper.tie_paper(district, first[2].seal.seal_code.replace("-", " ").lower())
    assert typed.matched and typed.unit_code == "S003" and typed.first_time
    scanned = paper.tie_paper(district, first[3].seal.qr_payload())
    assert scanned.matched and scanned.unit_code == "S004" and scanned.via == "扫码"
    old = paper.tie_paper(district, first[0].seal.seal_code)
    assert old.matched and not old.current and "较早的版本" in old.message
    miss = paper.tie_paper(district, "0A51-283D-ABB5-7B42-F908-272C-0950-2C85")
    assert not miss.matched and "不匹配" in miss.message

    # receipts the schools import; minisign verifies them on its own
    home = tmp_path / "receipts"
    for ws, code in ((s1, "S001"), (s3, "S003")):
        r = receipts.issue_receipt(district, code, home / code)
        ok, out = minisign_verify(r.path, r.public_key)
        assert ok, out
        row = import_receipt(ws, r.path, district_key=keys.school_key(district).fingerprint)
        assert row.seal_code == r.seal_code
        assert receipt_status(ws).startswith("区县已接收 · ")
    assert json.loads((home / "S001" / receipts.receipt_name("S001", v2.seal.seal_code)).read_text("utf-8"))[
        "bundle"]["version"] == 2
    with pytest.raises(Exception) as exc:                     # a receipt for another school is refused
        import_receipt(s2, next((home / "S003").glob("回执_*.json")), district_key=keys.school_key(district).fingerprint)
    assert "不是本校" in getattr(exc.value, "user_message", str(exc.value))

    view = load_county(district)
    units = {r.unit_code: r for r in view.units}
    assert set(units) == {"S001", "S002", "S003", "S004", "S005"} and all(r.submitted for r in units.values())
    assert units["S003"].paper and units["S001"].receipt and units["S005"].differences
    shutil.rmtree(stick)
