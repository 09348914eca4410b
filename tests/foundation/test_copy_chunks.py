"""Every copy (a read, then a write of the same bytes) reads its source COPY_CHUNK at a time and
advises the OS that the source is read sequentially.

On Linux a copy reading 1–4 MB at a time ran 2–4× slower on one disk than with 128 KiB reads
(fileio.COPY_CHUNK; 1 MiB on Windows): these spy on the reads each copy asks of its source file."""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import types
from collections import defaultdict
from pathlib import Path

import pytest

from app.services import fileio
from app.services.fileio import COPY_CHUNK

SIZE = 5 * COPY_CHUNK + 12_345          # several chunks and a short last one


class _SpyFile:
    """A file whose reads are logged (the size asked for); everything else is the real file's."""

    def __init__(self, fh, log: list[int]) -> None:
        self._fh, self._log = fh, log

    def read(self, n=-1):
        self._log.append(n)
        return self._fh.read(n)

    def readinto(self, b):
        self._log.append(len(b))
        return self._fh.readinto(b)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


def _spy_open(monkeypatch, module) -> dict[Path, list[int]]:
    """Replace `open` as `module` sees it; the reads asked of every file opened for binary reading."""
    reads: dict[Path, list[int]] = defaultdict(list)
    real = builtins.open

    def spying(file, mode="r", *args, **kw):
        fh = real(file, mode, *args, **kw)
        if "r" in mode and "b" in mode and "+" not in mode:
            return _SpyFile(fh, reads[Path(file).resolve()])
        return fh

    monkeypatch.setattr(module, "open", spying, raising=False)
    return reads


@pytest.fixture
def advised(monkeypatch) -> list[int]:
    """The descriptors advised POSIX_FADV_SEQUENTIAL (the advice is real on Linux only)."""
    seen: list[int] = []
    if not hasattr(os, "posix_fadvise"):
        pytest.skip("posix_fadvise is Linux-only")
    real = os.posix_fadvise

    def spy(fd, offset, length, advice):
        if advice == os.POSIX_FADV_SEQUENTIAL:
            seen.append(fd)
        return real(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", spy)
    return seen


@pytest.fixture
def source(tmp_path) -> Path:
    src = tmp_path / "来源" / "课堂实录.bin"
    src.parent.mkdir()
    src.write_bytes(os.urandom(SIZE))
    return src


def _assert_chunked(reads: list[int]) -> None:
    assert reads, "the source was not read through the spied open"
    assert max(reads) <= COPY_CHUNK, f"a read asked for {max(reads)} bytes"
    assert len(reads) >= SIZE // COPY_CHUNK                      # really streamed, not one read


def test_store_add_file(monkeypatch, advised, source, tmp_path):
    from app.services import store
    reads = _spy_open(monkeypatch, store)
    stored = store.EvidenceStore(tmp_path / "store").add_file(source)
    _assert_chunked(reads[source.resolve()])
    assert advised
    assert stored.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()


def test_copy_verified(monkeypatch, advised, source, tmp_path):
    reads = _spy_open(monkeypatch, fileio)
    dst = tmp_path / "U盘" / "课堂实录.bin"
    fileio.copy_verified(source, dst)
    _assert_chunked(reads[source.resolve()])
    assert advised
    assert dst.read_bytes() == source.read_bytes()


def test_backup_copy_stream(advised, source, tmp_path):
    from app.services.backup.staging import copy_stream
    log: list[int] = []
    data = source.read_bytes()
    with open(source, "rb") as real:
        copy_stream(_SpyFile(real, log), tmp_path / "restored.bin", hashlib.sha256(data).hexdigest(), len(data),
                    "课堂实录.bin")
    _assert_chunked(log)
    assert advised
    assert (tmp_path / "restored.bin").read_bytes() == data


def test_backup_copy_stream_from_a_stream_without_a_descriptor(tmp_path):
    """A backup read out of a zip has no file descriptor: nothing to advise, still copied."""
    from app.services.backup.staging import copy_stream
    data = os.urandom(SIZE)
    copy_stream(io.BytesIO(data), tmp_path / "restored.bin", hashlib.sha256(data).hexdigest(), len(data), "x")
    assert (tmp_path / "restored.bin").read_bytes() == data


def test_zip_copy_hashing(monkeypatch, advised, source):
    from app.services.bundle import zip_sink
    reads = _spy_open(monkeypatch, zip_sink)
    out = io.BytesIO()
    sha, n = zip_sink.copy_hashing(source, out, None, None)
    _assert_chunked(reads[source.resolve()])
    assert advised
    assert (sha, n) == (hashlib.sha256(source.read_bytes()).hexdigest(), SIZE) and out.getvalue() == source.read_bytes()


@pytest.mark.parametrize("platform", ["win32", "linux"])
def test_bag_copy_plain(monkeypatch, advised, source, tmp_path, platform):
    """Windows (and macOS) copy through a buffer; Linux copies in the kernel (sendfile), still advised."""
    from app.services.bundle import bag_writer
    reads = _spy_open(monkeypatch, bag_writer)
    monkeypatch.setattr(bag_writer, "sys", types.SimpleNamespace(platform=platform))
    dst = tmp_path / "bag.bin"
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        assert bag_writer.copy_plain(source, fd, None, None) == SIZE
    finally:
        os.close(fd)
    if platform == "win32":
        _assert_chunked(reads[source.resolve()])
    assert advised
    assert dst.read_bytes() == source.read_bytes()


def test_district_intake_copy(monkeypatch, advised, tmp_path):
    from app.services import keys
    from app.services.district import intake
    from app.services.district.office import init_district
    from app.services.workspace import Workspace
    from tests.district.conftest import export, small_school
    school = small_school(tmp_path / "school", "S001", "第一小学")
    try:
        bag = export(school, tmp_path / "stick").path
        fingerprint = keys.school_key(school).fingerprint
    finally:
        school.close()
    with Workspace.open(tmp_path / "district") as district:
        init_district(district, name="示例区教师发展中心", code="D210281")
        reads = _spy_open(monkeypatch, intake)
        outcome = intake.ingest(district, [bag], intake.IngestOptions(copy=True, confirm=(fingerprint,))).outcomes[0]
        assert outcome.outcome == "接收", outcome
        copies = district.paths.root / "district" / "copies" / bag.name
        copied = [p for p in copies.rglob("*") if p.is_file()]
    assert copied
    for dst in copied:
        src = (bag / dst.relative_to(copies)).resolve()
        asked = reads[src]
        assert asked and max(asked) <= COPY_CHUNK, (src, asked[:3])
        assert dst.read_bytes() == src.read_bytes()
    assert len(advised) >= len(copied)
