"""Hand-made zips for the name-differential cases: GBK names without the UTF-8 flag, Info-ZIP
Unicode Path extra fields (0x7075), local headers that disagree with the central directory."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path


def unicode_path(name: str, for_bytes: bytes) -> bytes:
    """An Info-ZIP Unicode Path extra field naming `name`, with the CRC of `for_bytes`."""
    body = b"\x01" + struct.pack("<L", zlib.crc32(for_bytes) & 0xFFFFFFFF) + name.encode("utf-8")
    return struct.pack("<2H", 0x7075, len(body)) + body


class RawNameInfo(zipfile.ZipInfo):
    """An entry whose header name is exactly `raw` (no UTF-8 flag), as old Windows tools write."""

    def __init__(self, raw: bytes, **kw) -> None:
        super().__init__(raw.decode("cp437"), **kw)
        self.raw = raw

    def _encodeFilenameFlags(self):
        return self.raw, self.flag_bits & ~0x800


def write_zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return path


def patch_local_name(path: Path, old: bytes, new: bytes) -> None:
    """Change a name in the local header only (same length), leaving the central directory."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x03\x04")
    while at != -1:
        n = struct.unpack_from("<H", data, at + 26)[0]
        if data[at + 30:at + 30 + n] == old:
            data[at + 30:at + 30 + n] = new
            break
        at = data.find(b"PK\x03\x04", at + 4)
    else:
        raise AssertionError("name not found")
    path.write_bytes(bytes(data))


def local_offsets(path: Path) -> dict[str, int]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: i.header_offset for i in zf.infolist()}
