"""The parts of a zip entry Python's `zipfile` does not compare: extra fields and local headers.

Every entry is described twice, in the central directory (which `zipfile` reads) and in a local
header in front of its data (which streaming tools such as `unzip -` and some Windows tools read).
Both may carry an Info-ZIP Unicode Path extra field (0x7075) whose name wins over the header's
name in `unzip` and 7-Zip. Each disagreement is a way to show the verifier one file and the
person extracting another, so each is reported here and refused by the reader.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

UNICODE_PATH = 0x7075
ZIP64 = 0x0001
LOCAL_SIG = b"PK\x03\x04"
_LOCAL = struct.Struct("<4s5H3L2H")     # sig, version, flags, method, time, date, crc, csize, usize, nlen, elen


class HeaderDamaged(Exception):
    """The bytes where a local header should be are not one (cut short or overwritten)."""


def extra_fields(extra: bytes) -> tuple[dict[int, list[bytes]], bool]:
    """({header id: [data, …]}, well_formed). A field running past the end is malformed."""
    fields: dict[int, list[bytes]] = {}
    i = 0
    while i + 4 <= len(extra):
        hid, size = struct.unpack_from("<2H", extra, i)
        if i + 4 + size > len(extra):
            return fields, False
        fields.setdefault(hid, []).append(extra[i + 4:i + 4 + size])
        i += 4 + size
    return fields, i == len(extra) or not extra[i:].strip(b"\x00")


def unicode_path_problem(raw_name: bytes, field: bytes) -> tuple[str | None, str | None]:
    """(the UTF-8 name the field gives, or None; why it cannot be trusted, or None)."""
    if len(field) < 5:
        return None, "Unicode Path 扩展字段不完整"
    version = field[0]
    crc = struct.unpack_from("<L", field, 1)[0]
    if version != 1:
        return None, f"Unicode Path 扩展字段版本 {version} 未知"
    if crc != zlib.crc32(raw_name) & 0xFFFFFFFF:
        return None, "Unicode Path 扩展字段的校验值与文件名不符（文件名被改过，不同的解压软件会得到不同的文件名）"
    try:
        return field[5:].decode("utf-8"), None
    except UnicodeDecodeError:
        return None, "Unicode Path 扩展字段不是有效的 UTF-8"


@dataclass(frozen=True)
class LocalHeader:
    flags: int
    method: int
    crc: int
    compress_size: int
    file_size: int
    name: bytes
    extra: bytes
    data_offset: int


def read_local_header(fh, offset: int) -> LocalHeader:
    fh.seek(offset)
    head = fh.read(_LOCAL.size)
    if len(head) != _LOCAL.size:
        raise HeaderDamaged("cut short")
    sig, _ver, flags, method, _t, _d, crc, csize, usize, nlen, elen = _LOCAL.unpack(head)
    if sig != LOCAL_SIG:
        raise HeaderDamaged("signature")
    name = fh.read(nlen)
    extra = fh.read(elen)
    if len(name) != nlen or len(extra) != elen:
        raise HeaderDamaged("cut short")
    return LocalHeader(flags, method, crc, csize, usize, name, extra, offset + _LOCAL.size + nlen + elen)


def _zip64_sizes(extra: bytes, usize: int, csize: int) -> tuple[int, int]:
    """A local header's real sizes: 0xFFFFFFFF means "see the zip64 extra field"."""
    fields, _ = extra_fields(extra)
    data = (fields.get(ZIP64) or [b""])[0]
    values = list(struct.unpack_from(f"<{len(data) // 8}Q", data)) if len(data) >= 8 else []
    if usize == 0xFFFFFFFF and values:
        usize = values.pop(0)
    if csize == 0xFFFFFFFF and values:
        csize = values.pop(0)
    return usize, csize


def disagreements(local: LocalHeader, raw_name: bytes, flags: int, method: int, crc: int,
                  compress_size: int, file_size: int) -> list[str]:
    """How the local header contradicts the central directory (empty when it does not)."""
    out = []
    if local.name != raw_name:
        out.append("本地文件头中的文件名与目录中的不同")
    if (local.flags ^ flags) & 0x0801:
        out.append("本地文件头与目录的编码或加密标志不同")
    if local.method != method:
        out.append("本地文件头与目录的压缩方式不同")
    if not local.flags & 0x08:          # no data descriptor: the header holds the real values
        usize, csize = _zip64_sizes(local.extra, local.file_size, local.compress_size)
        if local.crc != crc or usize != file_size or csize != compress_size:
            out.append("本地文件头与目录记录的大小或校验值不同")
    return out
