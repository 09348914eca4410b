"""The read-back during the forms' layout: room for the forms and the tag files is reserved
before the evidence, everything is read back from the device while the forms are laid out,
and at the end only what was rewritten into that room is read back; a stick that loses data
is still caught, and anything written outside the room makes the end read everything again."""

from __future__ import annotations

import hashlib
import threading

import pytest

from app.errors import AppError
from app.services import faults
from app.services.bundle import bag_writer, reserved
from app.services.bundle import export as export_mod
from app.services.bundle import layout as L
from app.services.bundle.bag_writer import DirSink, ReadbackError
from app.services.bundle.export import ExportOptions, export_bundle
from app.services.bundle.verify import verify_path
from app.services.progress import Progress

from .conftest import FakeReport, bagit_valid, fake_write_report, minisign_ok

TAGS_AFTER_FORMS = {L.BAGIT_TXT, L.BAG_INFO, L.PUBKEY, L.README, L.TAGMANIFEST}


@pytest.fixture(autouse=True)
def _no_faults():
    faults.clear()
    yield
    faults.clear()


class HeldLayout:
    """A forms job whose layout ends only when `release` is set (or after `limit` seconds)."""

    def __init__(self, pdf, pages: int, limit: float = 10.0) -> None:
        self.pdf, self.pages, self.limit = pdf, pages, limit
        self.release = threading.Event()
        self.timed_out = self.cancelled = False
        self.content = b""

    def seal(self, seal) -> None:
        self.seal_code = seal.seal_code

    def wait(self, progress) -> None:
        waited = 0.0
        while not self.release.wait(0.01):
            progress.check()
            waited += 0.01
            if waited > self.limit:
                self.timed_out = True
                break
        self.content = b"%PDF-1.4\n" + f"封存码 {self.seal_code}\n".encode() * self.pages
        self.pdf.write_bytes(self.content)

    def cancel(self) -> None:
        self.cancelled = True
        self.release.set()

    def close(self) -> None:
        pass


@pytest.fixture
def held(calls):
    """Plugins whose forms layout is held until the test lets it end; `jobs` lists the jobs."""
    jobs = []

    def start_forms(ws, pdf, seal=None, progress=None, **_):
        jobs.append(HeldLayout(pdf, pages=50))
        return jobs[-1]

    plugins = export_mod.Plugins(write_report=fake_write_report(calls), run_check=lambda ws: FakeReport(),
                                 start_forms=start_forms)
    return plugins, jobs


@pytest.fixture
def reads(monkeypatch):
    """Every file the bag writer reads back from the device, in order, with whether a layout
    job was still running then."""
    seen: list[str] = []
    real = bag_writer.hash_from_device

    def hashing(path, *a, **k):
        seen.append(path.as_posix())
        return real(path, *a, **k)
    monkeypatch.setattr(bag_writer, "hash_from_device", hashing)
    return seen


def _rels(paths: list[str], bag_root) -> set[str]:
    prefix = bag_root.as_posix().rstrip("/") + "/"
    return {p.split(".partial/", 1)[1] if ".partial/" in p else p[len(prefix):] for p in paths}


def _release_after_check(monkeypatch, jobs, phases):
    real = DirSink.check_now

    def check_now(self, *a, **k):
        phases.append(("check starts", not jobs[0].release.is_set()))
        real(self, *a, **k)
        phases.append(("check ends", not jobs[0].release.is_set()))
        jobs[0].release.set()
    monkeypatch.setattr(DirSink, "check_now", check_now)


def test_the_evidence_is_read_back_while_the_forms_are_laid_out(school, usb, held, reads, monkeypatch):
    ws, _ = school
    plugins, jobs = held
    phases: list = []
    _release_after_check(monkeypatch, jobs, phases)
    split = []
    real_read_back = DirSink.read_back

    def read_back(self, expected, *a, **k):
        split.append(len(reads))
        return real_read_back(self, expected, *a, **k)
    monkeypatch.setattr(DirSink, "read_back", read_back)

    result = export_bundle(ws, usb, ExportOptions(allow_incomplete=True), plugins=plugins)

    assert phases == [("check starts", True), ("check ends", True)]   # the layout ran all along
    assert not jobs[0].timed_out
    early, late = _rels(reads[:split[1]], result.path), _rels(reads[split[1]:], result.path)
    payload = {line.split("  ", 1)[1] for line in (result.path / L.MANIFEST).read_text("utf-8").splitlines()}
    # the early pass: every payload file, the manifest, and the room of the forms and tag files
    assert payload | {L.MANIFEST, L.FORMS_PDF, L.SIGNATURE} | TAGS_AFTER_FORMS <= early
    # the end: only what was written into that room since (the signature has its own read)
    assert late == {L.FORMS_PDF} | TAGS_AFTER_FORMS
    assert (result.path / L.FORMS_PDF).read_bytes() == jobs[0].content
    assert verify_path(result.path).ok
    assert bagit_valid(result.path)[0] and minisign_ok(result.path)[0]


def test_forms_outgrowing_their_room_make_the_end_read_everything_back(school, usb, held, reads,
                                                                       monkeypatch):
    ws, _ = school
    plugins, jobs = held
    _release_after_check(monkeypatch, jobs, [])
    monkeypatch.setattr(reserved, "forms_room", lambda teachers: 100)     # the forms take more
    split = []
    real_read_back = DirSink.read_back
    monkeypatch.setattr(DirSink, "read_back",
                        lambda self, *a, **k: split.append(len(reads)) or real_read_back(self, *a, **k))

    result = export_bundle(ws, usb, ExportOptions(allow_incomplete=True), plugins=plugins)

    late = _rels(reads[split[1]:], result.path)
    payload = {line.split("  ", 1)[1] for line in (result.path / L.MANIFEST).read_text("utf-8").splitlines()}
    assert payload | {L.MANIFEST, L.FORMS_PDF} | TAGS_AFTER_FORMS <= late
    assert verify_path(result.path).ok and bagit_valid(result.path)[0]


def test_a_stick_that_loses_an_early_file_is_caught_before_the_forms_are_written(school, usb, held,
                                                                                monkeypatch):
    ws, _ = school
    plugins, jobs = held
    real = DirSink.check_now
    victim = []

    def corrupting_check(self, *a, **k):
        target = sorted((self.root / "data" / "证据").rglob("*.docx"))[0]
        data = bytearray(target.read_bytes())
        data[0] ^= 0xFF
        target.write_bytes(bytes(data))
        victim.append(target.relative_to(self.root).as_posix())
        return real(self, *a, **k)
    monkeypatch.setattr(DirSink, "check_now", corrupting_check)

    with pytest.raises(ReadbackError) as err:
        export_bundle(ws, usb, ExportOptions(allow_incomplete=True), plugins=plugins)
    assert any(victim[0] in d for d in err.value.details)
    assert jobs[0].cancelled                           # the layout does not outlive the export
    assert list(usb.iterdir()) == []
    assert not any(ws.paths.tmp.glob("export-*"))


@pytest.mark.parametrize("fs_type", ["btrfs", "ReFS", ""])
def test_nothing_is_reserved_where_files_are_not_rewritten_in_place(school, usb, held, reads, monkeypatch,
                                                                    fs_type):
    ws, _ = school
    plugins, jobs = held
    monkeypatch.setattr("app.services.bundle.destination.filesystem_type", lambda p: fs_type)
    reserved_rels = []
    monkeypatch.setattr(DirSink, "reserve", lambda self, rel, size: reserved_rels.append(rel))
    checks = []
    monkeypatch.setattr(DirSink, "check_now", lambda self, *a, **k: checks.append(1))
    jobs_release = threading.Timer(0.2, lambda: jobs[0].release.set())
    jobs_release.start()

    result = export_bundle(ws, usb, ExportOptions(allow_incomplete=True), plugins=plugins)

    assert reserved_rels == [] and checks == []
    payload = {line.split("  ", 1)[1] for line in (result.path / L.MANIFEST).read_text("utf-8").splitlines()}
    assert payload <= _rels(reads, result.path)          # all read once, at the end
    assert verify_path(result.path).ok


def test_a_zip_reserves_nothing(school, usb, held, monkeypatch):
    ws, _ = school
    plugins, jobs = held
    monkeypatch.setattr(DirSink, "reserve", lambda *a: pytest.fail("room reserved for a zip"))
    threading.Timer(0.2, lambda: jobs[0].release.set()).start()
    result = export_bundle(ws, usb, ExportOptions(allow_incomplete=True, as_zip=True), plugins=plugins)
    assert result.path.name.endswith(".zip") and verify_path(result.path).ok


# ---- the sink itself


def _evidence(tmp_path, n=5):
    src = tmp_path / "store"
    src.mkdir()
    items = []
    for i in range(n):
        data = (f"evidence {i} " * 3000).encode()
        p = src / f"f{i}"
        p.write_bytes(data)
        items.append((f"data/证据/f{i}.bin", p, hashlib.sha256(data).hexdigest(), len(data)))
    return items


def _damage(sink, rel):
    target = sink._target(rel)
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF
    target.write_bytes(bytes(data))


def test_room_rewritten_in_place_is_read_back_at_the_end_and_damage_there_is_caught(tmp_path):
    (tmp_path / "usb").mkdir()
    sink = DirSink(tmp_path / "usb", "bag", Progress())
    sink.reserve(L.BAG_INFO, 4096)
    sink.put_files(_evidence(tmp_path))
    sink.check_now()
    sink.put_bytes(L.BAG_INFO, "Source-Organization: 某某学校\n".encode())
    assert sink._target(L.BAG_INFO).stat().st_size == len("Source-Organization: 某某学校\n".encode())
    _damage(sink, L.BAG_INFO)
    with pytest.raises(ReadbackError) as err:
        sink.read_back(dict(sink.written))
    assert any(L.BAG_INFO in d for d in err.value.details)
    sink.abort()


@pytest.mark.parametrize("how", ["new file", "outgrown room"])
def test_a_write_outside_the_room_after_the_early_check_reads_everything_again(tmp_path, how):
    # a new allocation may land on a fake stick's wrapped addresses: earlier files are read again
    (tmp_path / "usb").mkdir()
    sink = DirSink(tmp_path / "usb", "bag", Progress())
    sink.reserve(L.README, 64)
    items = _evidence(tmp_path)
    sink.put_files(items)
    sink.check_now()
    if how == "new file":
        sink.put_bytes(L.PUBKEY, b"untrusted comment: x\nRWQ\n")
        sink.put_bytes(L.README, b"short")
    else:
        sink.put_bytes(L.README, b"x" * 65)
    _damage(sink, items[2][0])                      # what a wrapped write would do to an early file
    with pytest.raises(ReadbackError) as err:
        sink.read_back(dict(sink.written))
    assert any(items[2][0] in d for d in err.value.details)
    sink.abort()


def test_a_bag_with_unfilled_room_is_never_sealed(tmp_path):
    (tmp_path / "usb").mkdir()
    sink = DirSink(tmp_path / "usb", "bag", Progress())
    sink.reserve(L.SIGNATURE, 1024)
    sink.put_files(_evidence(tmp_path, 2))
    sink.check_now()
    sink.read_back(dict(sink.written))              # the pattern is still what was written
    with pytest.raises(AppError, match="预留的位置没有写入"):
        sink.finish()
    assert not (tmp_path / "usb" / "bag").exists()
    sink.abort()


def test_room_is_reserved_only_on_file_systems_that_rewrite_in_place():
    for fs in ("FAT32", "exFAT", "NTFS", "ext4"):
        assert reserved.rewrites_in_place(fs)
    for fs in ("btrfs", "ReFS", "zfs", "apfs", "", "fuseblk", "overlay", "nfs"):
        assert not reserved.rewrites_in_place(fs)


def test_the_forms_room_covers_what_the_forms_take():
    # measured: 321 KB for 50 teachers, 1.24 MB for 300, 3.78 MB for 1,000, 7.40 MB for 2,000
    for teachers, size in ((50, 321_404), (300, 1_235_550), (1000, 3_777_898), (2000, 7_399_389)):
        assert size * 1.5 < reserved.forms_room(teachers) < size * 3
