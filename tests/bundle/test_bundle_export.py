"""Export: a valid, signed BagIt bag with Windows-safe names, masking and the refusal rules."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from sqlmodel import select

from app.errors import StorageError, ValidationError
from app.models import AuditEntry
from app.services import keys
from app.services.bundle import export as export_mod
from app.services.bundle import layout as L
from app.services.bundle.export import ExportBlockedError, ExportOptions, Plugins, export_bundle
from app.services.bundle.safe_names import FORBIDDEN, MAX_BAG_PATH, MAX_COMPONENT, fold, is_reserved, utf16_len
from app.services.bundle.verify import RegisteredKey, verify_path
from app.services.seal import seal_code_for

from .conftest import FakeFinding, FakeReport, bagit_valid, minisign_ok


def _manifest(bag: Path, name=L.MANIFEST) -> dict[str, str]:
    return L.parse_manifest((bag / name).read_bytes(), name)[0]


def test_export_is_valid_bag_signed_and_verified(school, usb, plugins, calls):
    ws, _info = school
    result = export_bundle(ws, usb, plugins=plugins)
    bag = result.path
    assert bag.parent == usb and re.fullmatch(r"2102810001_\d{8}-\d{6}", bag.name)
    assert sorted(p.name for p in usb.iterdir()) == [bag.name]          # no .partial left
    ok, why = bagit_valid(bag)
    assert ok, why
    ok, out = minisign_ok(bag)
    assert ok, out
    assert f"seal:{result.seal.seal_code}" in out
    report = verify_path(bag, RegisteredKey.parse(keys.school_key(ws).public_key_b64))
    assert report.ok, report.errors
    assert report.signature.registered is True
    assert report.seal_code == result.seal.seal_code
    assert report.info["school"] == "示例市实验小学" and report.info["teacher_count"] == 40
    # the seal code is the SHA-256 of manifest-sha256.txt, and the forms got exactly that
    assert seal_code_for((bag / L.MANIFEST).read_bytes())[0] == result.seal.seal_code
    assert calls.forms[0]["seal"].seal_code == result.seal.seal_code and calls.forms[0]["kind"] is None
    # exact tag set; the signature is not in the tag manifest, school.pub is
    tags = _manifest(bag, L.TAGMANIFEST)
    assert set(tags) == {L.BAGIT_TXT, L.BAG_INFO, L.MANIFEST, L.FORMS_PDF, L.PUBKEY, L.README}
    top = {p.name for p in bag.iterdir()}
    assert top == set(tags) | {"data", L.TAGMANIFEST, L.SIGNATURE}
    # sha256sum agrees with our manifest (the bench relies on it)
    r = subprocess.run(["sha256sum", "-c", "--quiet", L.MANIFEST], cwd=bag, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_bag_info_and_readme(school, usb, plugins):
    ws, _ = school
    result = export_bundle(ws, usb, plugins=plugins)
    raw = (result.path / L.BAG_INFO).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    info = L.parse_bag_info(raw)
    assert info["Source-Organization"] == "示例市实验小学"
    assert info["External-Identifier"] == "2102810001"
    assert info["Tisheng-Format"] == "1"
    assert info["Tisheng-Seal-Code"] == result.seal.seal_code
    assert info["Tisheng-Key-Fingerprint"] == keys.school_key(ws).fingerprint
    assert info["Tisheng-Program"] == "全国通用 提升工程2.0"
    assert info["Tisheng-Allow-Incomplete"] == "no"
    payload = _manifest(result.path)
    sizes = sum((result.path / p).stat().st_size for p in payload)
    assert info["Payload-Oxum"] == f"{sizes}.{len(payload)}"
    assert (result.path / L.BAGIT_TXT).read_bytes() == L.BAGIT_TXT_BYTES
    readme = (result.path / L.README).read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf")
    text = readme.decode("utf-8-sig")
    assert result.seal.seal_code in text and "minisign -Vm tagmanifest-sha256.txt" in text and "\r\n" in text
    assert (result.path / L.PUBKEY).read_text() == keys.school_key(ws).pub_file_text


def test_secret_key_never_in_bundle(school, usb, plugins):
    ws, _ = school
    result = export_bundle(ws, usb, plugins=plugins)
    secret = json.loads((ws.paths.keys / keys.KEY_FILE).read_text())["secret"].encode()
    for f in result.path.rglob("*"):
        if f.is_file():
            assert secret not in f.read_bytes(), f


def test_payload_names_windows_safe_and_originals_kept(school, usb, plugins):
    ws, info = school
    result = export_bundle(ws, usb, plugins=plugins)
    payload = _manifest(result.path)
    folded = {}
    for path in payload:
        assert path == unicodedata.normalize("NFC", path)
        assert utf16_len(path) <= MAX_BAG_PATH, path
        for part in path.split("/"):
            assert utf16_len(part) <= MAX_COMPONENT, path
            assert not (set(part) & FORBIDDEN), path
            assert not any(ord(c) < 32 or ord(c) == 0x7F for c in part), path
            assert part == part.rstrip(" ."), path
            assert not is_reserved(part), path
        assert fold(path) not in folded, (path, folded.get(fold(path)))
        folded[fold(path)] = path
    doc = json.loads((result.path / "data/bundle.json").read_bytes())
    mine = [e for e in doc["evidence"] if e["teacher_id"] == info.hostile_teacher]
    originals = [e["original_name"] for e in mine]
    for name in info.hostile_names:
        assert name in originals
    for e in mine:
        assert e["path"] in payload and payload[e["path"]] == e["sha256"]
    names = {e["original_name"]: e["path"].rsplit("/", 1)[1] for e in mine}
    assert names["CON.docx"] == "_CON.docx"
    assert names["100%完成.docx"] == "100_完成.docx"
    assert names["作业:第1次?.docx"] == "作业_第1次_.docx"
    assert {names["照片.JPG"].casefold(), names["照片.jpg"].casefold()} == {"照片.jpg", "照片~2.jpg"}
    assert names["很长的文件名" * 15 + ".mp4"].endswith(".mp4")


def test_bundle_json_references_every_payload_file(school, usb, plugins):
    ws, _ = school
    result = export_bundle(ws, usb, plugins=plugins)
    payload = _manifest(result.path)
    doc = json.loads((result.path / "data/bundle.json").read_bytes())
    assert doc["format"] == "tisheng-bundle" and doc["format_version"] == 1
    files = {f["path"]: f["sha256"] for f in doc["files"]}
    assert set(files) == set(payload) - {"data/bundle.json"}
    assert all(payload[p] == h for p, h in files.items())
    referenced = {e["path"] for e in doc["evidence"]} | {p["path"] for p in doc["plans"] if p["path"]}
    referenced |= {f["path"] for a in doc["activities"] for f in a["files"]}
    assert referenced <= set(payload)
    assert "data/报表/汇总.xlsx" in files
    for key in ("school", "programme", "teams", "teachers", "choices", "evidence", "hours", "activities",
                "courses", "assessments", "support", "excellent_cases", "plans", "compliance"):
        assert doc[key], key
    assert doc["programme"]["rules"]["id"] == "national-2.0"
    assert doc["bag_name"] == result.bag_name and doc["key_fingerprint"] == result.fingerprint


def _all_text(bag: Path) -> bytes:
    return b"".join(f.read_bytes() for f in bag.rglob("*") if f.is_file() and f.suffix in (".json", ".txt"))


def _xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True)
    return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row)


def test_personal_numbers_masked_by_default(school, usb, plugins, calls):
    ws, info = school
    result = export_bundle(ws, usb, plugins=plugins)
    text = _all_text(result.path).decode("utf-8", errors="replace")
    workbook = _xlsx_text(result.path / "data/报表/汇总.xlsx")
    for idn in info.id_numbers:
        assert idn not in text and idn not in workbook
    for phone in info.phones:
        assert phone not in text
    doc = json.loads((result.path / "data/bundle.json").read_bytes())
    assert doc["personal_data"]["masked"] is True
    masked = {t["id_number"] for t in doc["teachers"]}
    assert all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", m) for m in masked if m)
    assert calls.report == [{"unmask": False}]
    assert L.parse_bag_info((result.path / L.BAG_INFO).read_bytes())["Tisheng-Personal-Data"] == "masked"


def test_unmask_personal_keeps_numbers_and_records_choice(school, usb, plugins, calls):
    ws, info = school
    result = export_bundle(ws, usb, ExportOptions(unmask_personal=True), plugins=plugins)
    doc = json.loads((result.path / "data/bundle.json").read_bytes())
    assert doc["personal_data"]["masked"] is False and doc["personal_data"]["policy"] == "full"
    assert {t["id_number"] for t in doc["teachers"]} == set(info.id_numbers)
    assert info.id_numbers[0] in _xlsx_text(result.path / "data/报表/汇总.xlsx")
    assert calls.report == [{"unmask": True}]
    assert L.parse_bag_info((result.path / L.BAG_INFO).read_bytes())["Tisheng-Personal-Data"] == "full"


def test_real_workbook_masks_id_numbers(school, usb):
    """With the real summary-workbook module."""
    ws, info = school
    plugins = export_mod.default_plugins()
    plugins.run_check = lambda ws: FakeReport()
    for unmask in (False, True):
        result = export_bundle(ws, usb, ExportOptions(unmask_personal=unmask), plugins=plugins)
        text = _xlsx_text(result.path / "data/报表/汇总.xlsx")
        assert (info.id_numbers[0] in text) is unmask


def test_blocking_findings_refuse_before_writing(school, usb, plugins):
    ws, _ = school
    plugins.run_check = lambda ws: FakeReport([FakeFinding("blocking", "王芳：实践应用学时 18/25"),
                                               FakeFinding("blocking", "校本研修方案未备案")])
    with pytest.raises(ExportBlockedError) as err:
        export_bundle(ws, usb, plugins=plugins)
    assert "2 项必须处理" in err.value.user_message
    assert err.value.details == ["王芳：实践应用学时 18/25", "校本研修方案未备案"]
    assert list(usb.iterdir()) == []


def test_allow_incomplete_is_recorded_everywhere(school, usb, plugins, calls):
    ws, _ = school
    plugins.run_check = lambda ws: FakeReport([FakeFinding("blocking", "校本研修方案未备案")])
    result = export_bundle(ws, usb, ExportOptions(allow_incomplete=True), plugins=plugins)
    assert result.allow_incomplete and result.blocking == 1
    info = L.parse_bag_info((result.path / L.BAG_INFO).read_bytes())
    assert info["Tisheng-Allow-Incomplete"] == "yes" and info["Tisheng-Blocking-Findings"] == "1"
    doc = json.loads((result.path / "data/bundle.json").read_bytes())
    assert doc["allow_incomplete"] is True
    assert doc["compliance"]["findings"][0]["message"] == "校本研修方案未备案"
    assert calls.forms[0]["seal"].allow_incomplete is True
    report = verify_path(result.path)
    assert report.ok and report.info["allow_incomplete"] is True


def test_real_compliance_blocks_demo_school(school, usb, plugins):
    ws, _ = school
    from app.services.compliance import run_check
    plugins.run_check = run_check
    with pytest.raises(ExportBlockedError) as err:
        export_bundle(ws, usb, plugins=plugins)
    assert err.value.details
    assert list(usb.iterdir()) == []


def test_works_without_plugins(school, usb):
    ws, _ = school
    result = export_bundle(ws, usb, plugins=Plugins())
    info = L.parse_bag_info((result.path / L.BAG_INFO).read_bytes())
    assert info["Tisheng-Compliance"] == "not-checked"
    assert "签字确认表.pdf" in info["Tisheng-Parts-Missing"] and "汇总.xlsx" in info["Tisheng-Parts-Missing"]
    assert not (result.path / L.FORMS_PDF).exists()
    assert bagit_valid(result.path)[0] and minisign_ok(result.path)[0] and verify_path(result.path).ok


def test_placeholder_plugin_is_treated_as_missing(school, usb, plugins):
    ws, _ = school

    def not_yet(*a, **k):
        raise NotImplementedError

    plugins.write_report = not_yet
    result = export_bundle(ws, usb, plugins=plugins)
    assert result.parts["报表/汇总.xlsx"] is False and verify_path(result.path).ok


def test_not_enough_room_says_how_much_before_writing(school, usb, plugins, monkeypatch):
    ws, _ = school
    monkeypatch.setattr("shutil.disk_usage", lambda p: type("U", (), {"free": 1000})())
    with pytest.raises(StorageError) as err:
        export_bundle(ws, usb, plugins=plugins)
    assert "剩余空间不足" in err.value.user_message and "约需" in err.value.user_message
    assert list(usb.iterdir()) == []


def test_missing_or_bad_destination(school, tmp_path, plugins):
    ws, _ = school
    with pytest.raises(StorageError, match="不存在"):
        export_bundle(ws, tmp_path / "no-stick", plugins=plugins)
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(StorageError, match="不是文件夹"):
        export_bundle(ws, f, plugins=plugins)


def test_unwritable_destination(school, usb, plugins, monkeypatch):
    ws, _ = school
    real_open = open

    def readonly(path, *a, **k):
        if ".tisheng-probe-" in str(path):
            raise OSError(30, "Read-only file system")
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", readonly)
    with pytest.raises(StorageError, match="无法写入"):
        export_bundle(ws, usb, plugins=plugins)
    assert list(usb.iterdir()) == []


def test_fat32_refuses_big_files_and_big_zip(school, usb, plugins, monkeypatch):
    ws, _ = school
    from app.services.bundle import destination
    monkeypatch.setattr(destination, "filesystem_type", lambda p: "FAT32")
    d = export_mod.probe_destination(usb)
    assert d.fs_type == "FAT32"
    roomy = export_mod.Destination(d.path, 10 ** 13, "FAT32", d.cluster)
    with pytest.raises(ValidationError, match="4 GB"):
        export_mod.check_room(roomy, [5 * 1024 ** 3], as_zip=False)
    with pytest.raises(ValidationError, match="zip"):
        export_mod.check_room(roomy, [3 * 1024 ** 3, 2 * 1024 ** 3], as_zip=True)
    export_mod.check_room(roomy, [3 * 1024 ** 3, 2 * 1024 ** 3], as_zip=False)
    export_mod.check_room(export_mod.Destination(d.path, 10 ** 13, "exFAT", d.cluster),
                          [5 * 1024 ** 3], as_zip=True)


@pytest.mark.parametrize("as_zip", [False, True])
def test_corrupt_store_file_is_refused_naming_it(school, usb, plugins, as_zip):
    ws, info = school
    from app.models import EvidenceFile
    with ws.sessions() as s:
        ef = s.exec(select(EvidenceFile).where(EvidenceFile.original_name == "CON.docx")).first()
    p = ws.store.path_for(ef.sha256)
    data = bytearray(p.read_bytes())
    data[0] ^= 1
    p.write_bytes(bytes(data))
    with pytest.raises(StorageError) as err:
        export_bundle(ws, usb, ExportOptions(allow_incomplete=True, as_zip=as_zip), plugins=plugins)
    assert "_CON.docx" in err.value.user_message and "本机存储中的文件已损坏" in err.value.user_message
    assert list(usb.iterdir()) == []


def test_missing_store_file_refused_before_writing(school, usb, plugins):
    ws, _ = school
    from app.models import EvidenceFile
    with ws.sessions() as s:
        ef = s.exec(select(EvidenceFile).where(EvidenceFile.original_name == "nul.txt")).first()
    ws.store.path_for(ef.sha256).unlink()
    with pytest.raises(StorageError) as err:
        export_bundle(ws, usb, plugins=plugins)
    assert any("nul.txt" in d for d in err.value.details)
    assert list(usb.iterdir()) == []


def test_export_recorded_in_audit_log(school, usb, plugins):
    ws, _ = school
    result = export_bundle(ws, usb, ExportOptions(unmask_personal=True), plugins=plugins)
    with ws.sessions() as s:
        rows = [json.loads(a.detail) for a in s.exec(select(AuditEntry).where(AuditEntry.action == "export"))]
    assert len(rows) == 1
    assert rows[0]["seal_code"] == result.seal.seal_code and rows[0]["personal_data"] == "full"


def test_two_exports_in_a_row_get_distinct_names(school, usb, plugins):
    ws, _ = school
    a = export_bundle(ws, usb, plugins=plugins)
    b = export_bundle(ws, usb, plugins=plugins)
    assert a.path != b.path and a.path.is_dir() and b.path.is_dir()
    assert verify_path(a.path).ok and verify_path(b.path).ok


def test_zip_export_verifies(school, usb, plugins, tmp_path):
    ws, _ = school
    result = export_bundle(ws, usb, ExportOptions(as_zip=True), plugins=plugins)
    assert result.path.name.endswith(".zip") and result.path.is_file()
    assert sorted(p.name for p in usb.iterdir()) == [result.path.name]
    import zipfile
    with zipfile.ZipFile(result.path) as zf:
        infos = zf.infolist()
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        assert all(i.filename.startswith(result.bag_name + "/") for i in infos)
        assert any(i.flag_bits & 0x800 for i in infos)             # UTF-8 names
    report = verify_path(result.path)
    assert report.ok, report.errors + report.missing + report.altered
    assert report.seal_code == result.seal.seal_code
    from app.services.bundle.zip_reader import safe_extract
    out = tmp_path / "x"
    safe_extract(result.path, out)
    assert bagit_valid(out)[0] and minisign_ok(out)[0]


def test_with_the_real_workbook_and_forms(school, usb):
    """The real summary workbook and sign-off forms."""
    plugins = export_mod.default_plugins()
    assert plugins.write_forms is not None and plugins.write_report is not None
    ws, info = school
    plugins.run_check = lambda ws: FakeReport([FakeFinding("blocking", "校本研修方案未备案")])
    result = export_bundle(ws, usb, ExportOptions(allow_incomplete=True), plugins=plugins)
    assert result.parts.get(L.FORMS_PDF)
    from pypdf import PdfReader
    reader = PdfReader(str(result.path / L.FORMS_PDF))
    first = reader.pages[0].extract_text()
    compact = re.sub(r"\s", "", first)
    assert result.seal.seal_code in compact or result.seal.seal_code.replace("-", "") in compact
    assert bagit_valid(result.path)[0] and minisign_ok(result.path)[0]
    assert verify_path(result.path).ok
    text = _xlsx_text(result.path / "data/报表/汇总.xlsx") if result.parts["报表/汇总.xlsx"] else ""
    assert all(idn not in text for idn in info.id_numbers)


def test_preview_says_what_is_needed_without_writing(school, usb, plugins, monkeypatch):
    ws, _ = school
    p = export_mod.preview_export(ws, usb, plugins=plugins)
    assert p.can_export and p.teachers == 40 and p.needed_bytes > p.payload_bytes > 0
    assert list(usb.iterdir()) == []
    plugins.run_check = lambda ws: FakeReport([FakeFinding("blocking", "校本研修方案未备案")])
    assert export_mod.preview_export(ws, usb, plugins=plugins).blocking == ["校本研修方案未备案"]
    assert not export_mod.preview_export(ws, usb, plugins=plugins).can_export
    assert export_mod.preview_export(ws, usb, ExportOptions(allow_incomplete=True), plugins=plugins).can_export
    monkeypatch.setattr("shutil.disk_usage", lambda p: type("U", (), {"free": 1000})())
    small = export_mod.preview_export(ws, usb, ExportOptions(allow_incomplete=True), plugins=plugins)
    assert not small.can_export and "剩余空间不足" in small.problems[0]
    missing = export_mod.preview_export(ws, usb / "nope", plugins=plugins)
    assert any("不存在" in m for m in missing.problems)


def test_second_concurrent_export_is_refused(school, usb, plugins):
    ws, _ = school
    from app.services.bundle.export import ExportBusyError, export_lock
    with export_lock(ws):
        script = ("import sys; sys.path.insert(0, %r)\n"
                  "from app.services.workspace import Workspace\n"
                  "from app.services.bundle.export import export_bundle, Plugins, ExportBusyError\n"
                  "ws = Workspace.open(%r)\n"
                  "try:\n    export_bundle(ws, %r, plugins=Plugins())\nexcept ExportBusyError:\n"
                  "    print('busy')\n") % (str(Path(__file__).resolve().parents[2]), str(ws.paths.root), str(usb))
        import sys
        r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert r.stdout.strip() == "busy", r.stderr
    assert list(usb.iterdir()) == []
    assert verify_path(export_bundle(ws, usb, plugins=plugins).path).ok


def test_verify_points_at_the_bag_inside_a_folder(school, usb, plugins):
    ws, _ = school
    bag = export_bundle(ws, usb, plugins=plugins).path
    report = verify_path(usb)
    assert not report.ok and bag.name in report.errors[0]


def test_a_fresh_export_makes_each_folder_once_and_looks_for_no_earlier_file(school, usb, plugins, monkeypatch):
    """Per-file work dominates a school of thousands of small documents: a fresh bag folder makes
    each folder once and does not stat each target for a file an earlier attempt left (only a
    resumed folder can hold one)."""
    from pathlib import Path

    from app.services.bundle.verify import verify_path
    ws, _ = school
    made, probed = [], []
    real_mkdir, real_is_file = Path.mkdir, Path.is_file

    def mkdir(self, *a, **kw):
        made.append(self)
        return real_mkdir(self, *a, **kw)

    def is_file(self):
        if "usb" in self.parts:
            probed.append(self)
        return real_is_file(self)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    monkeypatch.setattr(Path, "is_file", is_file)
    result = export_bundle(ws, usb, plugins=plugins)
    monkeypatch.undo()
    assert verify_path(result.path).ok
    evidence = [p for p in result.path.joinpath("data").rglob("*") if p.is_file()]
    folders = {p.parent for p in evidence}
    assert len(evidence) > 2 * len(folders) + 10      # the check below means something
    on_stick = [p for p in made if "usb" in p.parts]
    assert len(on_stick) <= 2 * len(folders) + 10, len(on_stick)      # a new parent is made by recursion
    assert [p for p in probed if "data" in p.parts] == []
