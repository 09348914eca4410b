"""Every change to a sealed bag makes `verify` fail naming the file, and bagit or minisign fail too."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.services import keys
from app.services.bundle import layout as L
from app.services.bundle import minisign
from app.services.bundle.export import export_bundle
from app.services.bundle.verify import RegisteredKey, format_report, verify_path
from app.services.workspace import Workspace

from .conftest import bagit_valid, minisign_ok


@dataclass
class Sealed:
    bag: Path              # bag A (pristine, do not modify)
    other: Path            # bag B of the same school
    registered: Path       # the school's public key file as the district registered it
    foreign_pub: Path      # another school's key
    foreign_ws_dir: Path
    evidence: str          # one evidence file inside bag A


@pytest.fixture(scope="module")
def sealed(school_template, tmp_path_factory):
    from .conftest import Calls, FakeReport, fake_write_forms, fake_write_report
    from app.services.bundle.export import Plugins
    src, _info = school_template
    root = tmp_path_factory.mktemp("sealed")
    shutil.copytree(src, root / "data")
    usb = root / "usb"
    usb.mkdir()
    calls = Calls()
    plugins = Plugins(fake_write_report(calls), fake_write_forms(calls), lambda ws: FakeReport())
    with Workspace.open(root / "data") as ws:
        a = export_bundle(ws, usb, plugins=plugins).path
        b = export_bundle(ws, usb, plugins=plugins).path
        registered = keys.export_public(ws, root / "registered.pub")
    with Workspace.open(root / "other-school") as other:
        foreign = keys.export_public(other, root / "foreign.pub")
    payload = L.parse_manifest((a / L.MANIFEST).read_bytes(), L.MANIFEST)[0]
    evidence = next(p for p in sorted(payload) if p.startswith("data/证据/"))
    return Sealed(a, b, registered, foreign, root / "other-school", evidence)


@pytest.fixture
def bag(sealed, tmp_path):
    dst = tmp_path / sealed.bag.name
    shutil.copytree(sealed.bag, dst)
    return dst


def _key(sealed):
    return RegisteredKey.parse(str(sealed.registered))


def _fails(report, *, names):
    text = format_report(report)
    assert not report.ok, text
    for n in names:
        assert n in text, (n, text)
    return text


def test_pristine_copy_is_valid(sealed, bag):
    report = verify_path(bag, _key(sealed))
    assert report.ok, format_report(report)
    assert bagit_valid(bag)[0] and minisign_ok(bag)[0] and minisign_ok(bag, sealed.registered)[0]


def test_one_byte_changed_in_evidence(sealed, bag):
    f = bag / sealed.evidence
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0x01
    f.write_bytes(bytes(data))
    report = verify_path(bag, _key(sealed))
    _fails(report, names=[sealed.evidence])
    assert report.altered == [sealed.evidence]
    assert report.signature.good                       # the seal itself is intact, the file is not
    assert not bagit_valid(bag)[0]


def test_file_deleted(sealed, bag):
    (bag / sealed.evidence).unlink()
    report = verify_path(bag, _key(sealed))
    _fails(report, names=[sealed.evidence])
    assert report.missing == [sealed.evidence]
    assert not bagit_valid(bag)[0]


def test_file_added_to_data(sealed, bag):
    (bag / "data" / "证据" / "新建文本文档.txt").write_text("我加的", encoding="utf-8")
    report = verify_path(bag, _key(sealed))
    _fails(report, names=["data/证据/新建文本文档.txt"])
    assert report.extra == ["data/证据/新建文本文档.txt"]
    assert not bagit_valid(bag)[0]


def test_file_added_at_top(sealed, bag):
    (bag / "说明补充.txt").write_text("x", encoding="utf-8")
    report = verify_path(bag, _key(sealed))
    _fails(report, names=["说明补充.txt"])
    assert report.extra == ["说明补充.txt"]


def test_bundle_json_edited(sealed, bag):
    f = bag / "data" / "bundle.json"
    f.write_bytes(f.read_bytes().replace("示例市实验小学".encode(), "示例市实验中学".encode(), 1))
    report = verify_path(bag, _key(sealed))
    _fails(report, names=["data/bundle.json"])
    assert report.altered == ["data/bundle.json"]
    assert not bagit_valid(bag)[0]


def test_bundle_json_edited_and_manifest_rewritten(sealed, bag):
    """A forger who also fixes manifest-sha256.txt breaks the tag manifest and the seal code."""
    import hashlib
    f = bag / "data" / "bundle.json"
    f.write_bytes(f.read_bytes().replace("示例市实验小学".encode(), "示例市实验中学".encode(), 1))
    entries = L.parse_manifest((bag / L.MANIFEST).read_bytes(), L.MANIFEST)[0]
    entries["data/bundle.json"] = hashlib.sha256(f.read_bytes()).hexdigest()
    (bag / L.MANIFEST).write_bytes(L.manifest_bytes(entries))
    report = verify_path(bag, _key(sealed))
    _fails(report, names=[L.MANIFEST])
    assert L.MANIFEST in report.altered
    assert report.seal_code != verify_path(sealed.bag).seal_code
    assert not bagit_valid(bag)[0]


def test_pdf_replaced(sealed, bag):
    (bag / L.FORMS_PDF).write_bytes((sealed.other / L.FORMS_PDF).read_bytes())
    report = verify_path(bag, _key(sealed))
    _fails(report, names=[L.FORMS_PDF])
    assert report.altered == [L.FORMS_PDF]
    assert not bagit_valid(bag)[0]


def test_tag_manifest_deleted(sealed, bag):
    (bag / L.TAGMANIFEST).unlink()
    report = verify_path(bag, _key(sealed))
    text = _fails(report, names=[L.TAGMANIFEST, "未封存"])
    assert L.TAGMANIFEST in report.missing
    assert not report.signature.good
    assert bagit_valid(bag)[0]          # bagit alone does not notice: that is why we check
    assert not minisign_ok(bag)[0], text


def test_signature_from_another_bundle(sealed, bag):
    shutil.copyfile(sealed.other / L.SIGNATURE, bag / L.SIGNATURE)
    report = verify_path(bag, _key(sealed))
    _fails(report, names=[L.SIGNATURE])
    assert report.signature.status == "bad"
    assert not minisign_ok(bag)[0] and not minisign_ok(bag, sealed.registered)[0]


def test_signature_deleted(sealed, bag):
    (bag / L.SIGNATURE).unlink()
    report = verify_path(bag, _key(sealed))
    _fails(report, names=[L.SIGNATURE, "未封存"])
    assert not minisign_ok(bag)[0]


def test_public_key_swapped_for_another_school(sealed, bag):
    shutil.copyfile(sealed.foreign_pub, bag / L.PUBKEY)
    report = verify_path(bag, _key(sealed))
    _fails(report, names=[L.PUBKEY])
    assert L.PUBKEY in report.altered
    assert not bagit_valid(bag)[0] and not minisign_ok(bag)[0]
    # without the district's key the bag is still refused: its own key does not match the signature
    assert not verify_path(bag).ok


def test_resealed_with_another_schools_key(sealed, bag):
    """A forger re-signs a consistent bag with another key: only the registered key catches it."""
    with Workspace.open(sealed.foreign_ws_dir) as other:
        shutil.copyfile(sealed.foreign_pub, bag / L.PUBKEY)
        tags = L.parse_manifest((bag / L.TAGMANIFEST).read_bytes(), L.TAGMANIFEST)[0]
        import hashlib
        tags[L.PUBKEY] = hashlib.sha256((bag / L.PUBKEY).read_bytes()).hexdigest()
        (bag / L.TAGMANIFEST).write_bytes(L.manifest_bytes(tags))
        sig = keys.sign_file(other, bag / L.TAGMANIFEST, "timestamp:1\tfile:tagmanifest-sha256.txt\thashed")
        (bag / L.SIGNATURE).write_text(sig, encoding="utf-8")
    assert bagit_valid(bag)[0] and minisign_ok(bag)[0]        # consistent in itself …
    report = verify_path(bag, _key(sealed))
    _fails(report, names=[L.SIGNATURE, "登记"])
    assert report.signature.registered is False
    assert not minisign_ok(bag, sealed.registered)[0]          # … but not by the registered key
    with Workspace.open(sealed.foreign_ws_dir) as other:
        fp = keys.school_key(other).fingerprint
    by_fp = verify_path(bag, RegisteredKey.parse(_key(sealed).fingerprint))
    assert not by_fp.ok and fp in format_report(by_fp)
    # without --key: the signature checks out against the bag's own key, which is shown as
    # unregistered; bag-info.txt still names the school's real key, so the bag is refused anyway
    unregistered = verify_path(bag)
    text = format_report(unregistered)
    assert unregistered.signature.good and unregistered.signature.registered is None
    assert fp in text and "未登记" in text
    assert not unregistered.ok and "密钥指纹" in text


def test_os_and_lock_files_are_warnings(sealed, bag):
    (bag / "Thumbs.db").write_bytes(b"x")
    (bag / "data" / "desktop.ini").write_bytes(b"x")
    (bag / "data" / "证据" / "~$报告.docx").write_bytes(b"x")
    (bag / ".DS_Store").write_bytes(b"x")
    report = verify_path(bag, _key(sealed))
    assert report.ok, format_report(report)
    assert sorted(report.junk) == sorted(["Thumbs.db", "data/desktop.ini", "data/证据/~$报告.docx", ".DS_Store"])
    assert "Thumbs.db" in format_report(report)


def test_partial_folder_is_an_unfinished_export(sealed, tmp_path):
    p = tmp_path / (sealed.bag.name + ".partial")
    shutil.copytree(sealed.bag, p)
    (p / L.SIGNATURE).unlink()
    report = verify_path(p, _key(sealed))
    assert not report.ok and report.unfinished
    assert "未完成的导出" in format_report(report)


def test_symlink_inside_bag_is_refused_not_followed(sealed, bag, tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("outside")
    (bag / "data" / "link.txt").symlink_to(secret)
    report = verify_path(bag, _key(sealed))
    assert not report.ok and "链接" in format_report(report)


def test_registered_fingerprint_accepted(sealed, bag):
    fp = keys.info_for(minisign.parse_public_key(sealed.registered.read_text())).fingerprint
    assert verify_path(bag, RegisteredKey.parse(fp.replace("-", "").lower())).ok
    assert verify_path(bag, RegisteredKey.parse(fp)).signature.registered is True
    other_fp = keys.info_for(minisign.parse_public_key(sealed.foreign_pub.read_text())).fingerprint
    report = verify_path(bag, RegisteredKey.parse(other_fp))
    assert not report.ok and other_fp in format_report(report)


def test_every_tamper_reported_together(sealed, bag):
    (bag / sealed.evidence).unlink()
    (bag / "data" / "多出.txt").write_text("x", encoding="utf-8")
    f = bag / "data" / "bundle.json"
    f.write_bytes(f.read_bytes() + b" ")
    report = verify_path(bag, _key(sealed))
    assert report.missing == [sealed.evidence]
    assert report.extra == ["data/多出.txt"]
    assert report.altered == ["data/bundle.json"]
    d = report.to_dict()
    assert d["valid"] is False and d["missing"] == [sealed.evidence]
