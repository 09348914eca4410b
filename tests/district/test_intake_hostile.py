"""Intake: whatever a stick holds, each bundle is accepted or refused by name, and none stops the others."""

from __future__ import annotations

import os
import shutil
import zipfile

import pytest

from app.services import keys
from app.services.bundle import layout as L
from app.services.district import intake, register
from app.services.district.queries import intake_log, list_bundles
from tests.district.conftest import export, small_school


@pytest.fixture
def two(tmp_path, district):
    a = small_school(tmp_path / "a", "A01", "甲小学", seed=1)
    b = small_school(tmp_path / "b", "B02", "乙小学", seed=2)
    for ws, code in ((a, "A01"), (b, "B02")):
        register.add_key(district, code, fingerprint=keys.school_key(ws).fingerprint)
    yield a, b
    a.close()
    b.close()


def _outcome(summary, name):
    return next(o for o in summary.outcomes if os.path.basename(o.path.rstrip("/")) == name)


def test_a_stick_of_good_and_hostile_bundles(two, district, tmp_path):
    a, b = two
    stick = tmp_path / "stick"
    good = export(a, stick).path
    altered = export(b, stick).path                   # a payload file changed after sealing
    target = next((altered / "data" / "证据").rglob("*.docx"))
    target.write_bytes(target.read_bytes() + b"x")
    extra = shutil.copytree(good, stick / "A01_extra")   # a file slipped into a copy of a good bag
    (extra / "data" / "多出来的.txt").write_text("x", encoding="utf-8")
    partial = shutil.copytree(good, stick / ("A01_unfinished" + L.PARTIAL))
    (partial / L.SIGNATURE).unlink()
    (stick / "坏的.zip").write_bytes(b"PK\x03\x04 not really a zip")
    evil = stick / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../../逃逸.txt", "x")
        z.writestr("bagit.txt", "BagIt-Version: 1.0\n")
    linked = shutil.copytree(good, stick / "A01_link")
    (linked / "data" / "link.txt").symlink_to("/etc/hostname")
    (stick / "空文件夹").mkdir()

    summary = intake.ingest(district, [stick])
    assert _outcome(summary, good.name).outcome == "接收"
    o = _outcome(summary, altered.name)
    assert o.outcome == "拒收" and "被改动" in o.message and any(target.name in d for d in o.details)
    o = _outcome(summary, "A01_extra")
    assert o.outcome in ("拒收", "已接收过")          # same manifest as the good one: already taken in
    o = _outcome(summary, "A01_unfinished" + L.PARTIAL)
    assert o.outcome in ("拒收", "已接收过")
    o = _outcome(summary, "坏的.zip")
    assert o.outcome == "拒收" and "zip" in o.message
    o = _outcome(summary, "evil.zip")
    assert o.outcome == "拒收" and ("不安全" in o.message or any("逃逸" in d for d in o.details))
    assert not (tmp_path / "逃逸.txt").exists()
    assert [b.unit_code for b in list_bundles(district)] == ["A01"]
    log = {e.path: e.outcome for e in intake_log(district)}
    assert log[str(altered)] == "拒收"


def test_extra_files_and_links_are_refused_when_the_bag_is_new(two, district, tmp_path):
    a, _ = two
    bag = export(a, tmp_path / "s1").path
    (bag / "data" / "多出来的.txt").write_text("x", encoding="utf-8")
    o = intake.ingest(district, [bag]).outcomes[0]
    assert o.outcome == "拒收" and "多出 1 个" in o.message and any("多出来的.txt" in d for d in o.details)
    bag2 = export(a, tmp_path / "s2").path
    (bag2 / "data" / "link.txt").symlink_to("/etc/hostname")
    o = intake.ingest(district, [bag2]).outcomes[0]
    assert o.outcome == "拒收" and any("链接" in d for d in o.details + (o.message,))
    bag3 = export(a, tmp_path / "s3").path
    os.rename(bag3, str(bag3) + L.PARTIAL)
    o = intake.ingest(district, [str(bag3) + L.PARTIAL]).outcomes[0]
    assert o.outcome == "拒收" and "未完成" in o.message


def test_a_bundle_re_signed_by_a_stranger_is_refused(two, district, tmp_path):
    """Someone changes a file, rebuilds the manifests and signs with their own key."""
    from app.services.bundle import minisign
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    a, _ = two
    bag = export(a, tmp_path / "s").path
    victim = next((bag / "data" / "证据").rglob("*.docx"))
    victim.write_bytes(b"forged")
    import hashlib
    entries, _ = L.parse_manifest((bag / L.MANIFEST).read_bytes(), L.MANIFEST)
    entries[victim.relative_to(bag).as_posix()] = hashlib.sha256(b"forged").hexdigest()
    (bag / L.MANIFEST).write_bytes(L.manifest_bytes(entries))
    private = Ed25519PrivateKey.generate()
    pk = minisign.public_key_of(private, os.urandom(8))
    (bag / L.PUBKEY).write_text(pk.pub_file_text(), encoding="ascii")
    tags = {rel: hashlib.sha256((bag / rel).read_bytes()).hexdigest()
            for rel in (L.BAGIT_TXT, L.BAG_INFO, L.MANIFEST, L.PUBKEY)}
    tm = L.manifest_bytes(tags)
    (bag / L.TAGMANIFEST).write_bytes(tm)
    sig = minisign.sign_bytes_prehashed(private, pk.key_id, hashlib.blake2b(tm, digest_size=64).digest(), "x", "y")
    (bag / L.SIGNATURE).write_text(sig, encoding="utf-8")
    o = intake.ingest(district, [bag]).outcomes[0]
    assert o.outcome == "拒收" and "签名密钥与登记的不一致" in o.message
    assert keys.school_key(a).fingerprint in o.message        # what the register holds is named
    assert list_bundles(district) == []


def test_an_unexpected_failure_in_one_bundle_never_stops_the_others(two, district, tmp_path, monkeypatch):
    a, b = two
    stick = tmp_path / "stick"
    bad, good = export(a, stick).path, export(b, stick).path
    real = intake.verify_path

    def flaky(path, *args, **kw):
        if os.path.basename(str(path)) == bad.name:
            raise RuntimeError("boom")
        return real(path, *args, **kw)

    monkeypatch.setattr(intake, "verify_path", flaky)
    summary = intake.ingest(district, [stick])
    assert _outcome(summary, bad.name).outcome == "拒收" and "意外错误" in _outcome(summary, bad.name).message
    assert _outcome(summary, good.name).outcome == "接收"


def test_zipped_bundles_and_a_school_code_that_does_not_match(two, district, tmp_path):
    from app.services.bundle.export import ExportOptions, Plugins, default_plugins, export_bundle
    a, _ = two
    (tmp_path / "z").mkdir()
    z = export_bundle(a, tmp_path / "z", ExportOptions(allow_incomplete=True, as_zip=True),
                      plugins=Plugins(run_check=default_plugins().run_check))
    o = intake.ingest(district, [z.path]).outcomes[0]
    assert o.outcome == "接收", o


def test_nothing_to_take_in_is_said_by_name(district, tmp_path):
    (tmp_path / "empty").mkdir()
    summary = intake.ingest(district, [tmp_path / "empty", tmp_path / "gone"])
    messages = [o.message for o in summary.outcomes]
    assert any("没有找到报送包" in m for m in messages) and any("找不到" in m for m in messages)
    assert not summary.all_in


def test_copy_keeps_a_verified_copy_and_the_records(two, district, tmp_path):
    from app.services.district.queries import bundle_detail
    from app.services.district.rerun import recheck_all
    a, b = two
    stick = tmp_path / "stick"
    bag = export(a, stick).path
    o = intake.ingest(district, [bag], intake.IngestOptions(copy=True)).outcomes[0]
    assert o.outcome == "接收", o
    row = list_bundles(district)[0]
    assert row.copied and row.location.startswith(str(district.paths.root / "district" / "copies"))
    shutil.rmtree(stick)                                       # the stick went home
    assert recheck_all(district) == 1                          # the kept records still re-check
    assert bundle_detail(district, row.id).recheck["ok"]
    bad = export(b, tmp_path / "stick2").path
    next((bad / "data" / "证据").rglob("*.docx")).write_bytes(b"changed")
    o = intake.ingest(district, [bad], intake.IngestOptions(copy=True)).outcomes[0]
    assert o.outcome == "拒收"
    root = district.paths.root / "district" / "copies"
    assert [c.name for c in root.iterdir() if c.name != intake.INCOMING] == [bag.name]
    assert not any((root / intake.INCOMING).iterdir())        # the refused copy was removed
    records = district.paths.root / "district" / "records"
    assert [p.name for p in records.iterdir()] == [_records_name(district)]     # its texts were not kept


def test_cancel_stops_after_whole_bundles_and_leaves_no_copy(two, district, tmp_path):
    from app.services.progress import Progress
    a, b = two
    stick = tmp_path / "stick"
    export(a, stick)
    export(b, stick)
    progress = Progress()
    calls = {"n": 0}
    real = intake._conclude

    def conclude_then_cancel(*args, **kw):
        out = real(*args, **kw)
        calls["n"] += 1
        progress.cancel()                                       # the user presses 取消 after the first
        return out

    import unittest.mock
    with unittest.mock.patch.object(intake, "_conclude", conclude_then_cancel):
        summary = intake.ingest(district, [stick], intake.IngestOptions(copy=True), progress=progress)
    assert summary.cancelled and calls["n"] == 1
    assert len(list_bundles(district)) == 1
    root = district.paths.root / "district" / "copies"
    assert len([p for p in root.iterdir() if p.name != intake.INCOMING]) == 1
    assert not any((root / intake.INCOMING).iterdir())        # the second copy, cancelled, is gone
    assert len(list((district.paths.root / "district" / "records").iterdir())) == 1


def test_the_same_bundle_twice_on_one_stick_is_taken_in_once(two, district, tmp_path):
    a, _ = two
    stick = tmp_path / "stick"
    bag = export(a, stick).path
    shutil.copytree(bag, stick / "副本" / bag.name)
    summary = intake.ingest(district, [stick])
    assert sorted(o.outcome for o in summary.outcomes) == ["已接收过", "接收"]
    assert len(list_bundles(district)) == 1
    from app.services.district.bundle_doc import load_kept
    assert load_kept(district, _records_name(district))["school"]["code"] == "A01"     # the kept texts are whole


def test_a_bundle_without_its_public_key_cannot_be_checked_against_a_fingerprint(two, district, tmp_path):
    a, _ = two
    bag = export(a, tmp_path / "s").path
    (bag / L.PUBKEY).unlink()
    o = intake.ingest(district, [bag]).outcomes[0]
    assert o.outcome == "拒收" and "缺少学校公钥文件" in o.message


def _records_name(district) -> str:
    from app.models.district import ReceivedBundle
    from sqlmodel import select
    with district.sessions() as s:
        return s.exec(select(ReceivedBundle.records_dir)).one()


def test_the_kept_texts_still_verify_with_minisign(two, district, tmp_path):
    import zipfile

    from tests.district.conftest import minisign_verify
    a, _ = two
    bag = export(a, tmp_path / "s").path
    assert intake.ingest(district, [bag]).outcomes[0].outcome == "接收"
    shutil.rmtree(bag)                                        # the stick went home
    out = tmp_path / "kept"
    with zipfile.ZipFile(district.paths.root / "district" / "records" / _records_name(district)) as z:
        z.extractall(out)
    ok, text = minisign_verify(out / L.TAGMANIFEST, out / L.PUBKEY)
    assert ok, text
