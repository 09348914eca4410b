"""Look at a file before any parser touches it.

`sniff()` names what the bytes really are (whatever the extension claims);
`open_workbook_zip()` opens the zip through `app.services.safezip` (the one zip reader) and
refuses zip bombs, encrypted, truncated or ambiguous archives, zips that are not workbooks and
any part that openpyxl would parse whole (styles, shared strings, the workbook, relationships…)
beyond its own limit, before openpyxl ever sees the file: openpyxl holds such parts in memory
as trees, about 25 bytes of memory per byte of XML. XML entity bombs are stopped by defusedxml,
which openpyxl uses automatically (checked when this package is imported).
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import AppError, StorageError
from app.services.safezip import SafeZip, ZipDamaged, ZipRefused

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_total_uncompressed: int = 200 * MB
    max_part_uncompressed: int = 100 * MB
    max_ratio: float = 100.0
    ratio_floor: int = 1 * MB          # parts smaller than this cannot be bombs; ratio not checked
    max_entries: int = 10_000
    # Parts openpyxl parses whole into memory (read-only mode streams only the sheets). The
    # largest honest ones: styles.xml at Excel's 64,000 cell formats is about 6 MB; shared
    # strings of 50,000 rows of text about 30 MB; everything else a few hundred KB.
    part_caps: tuple[tuple[str, int], ...] = field(default=(
        (r"xl/styles\.xml", 8 * MB), (r"xl/sharedStrings\.xml", 64 * MB),
        (r"\[Content_Types\]\.xml|xl/workbook\.xml|(?:.*/)?_rels/.*\.rels|docProps/.*|xl/theme/.*"
         r"|xl/(?:chartsheets|charts|drawings)/.*\.xml", 4 * MB)))
    max_rows: int = 50_000             # data rows in one import
    max_columns: int = 200             # columns read per row; the rest are ignored
    max_text_bytes: int = 50 * MB      # CSV files and .xls files
    header_scan_rows: int = 30         # where to look for the header row


DEFAULT_LIMITS = Limits()


class FileRejected(AppError):
    """The file cannot be read safely; nothing was imported."""


@dataclass(frozen=True)
class Kind:
    name: str          # "xlsx" | "xls" | "csv" | "empty" | "html" | "ole" | "zip" | "unknown"
    detail: str = ""


XLSX_ADVICE = "请在 Excel 或 WPS 中打开它，“另存为” Excel 工作簿（*.xlsx）后再导入。"


def _label(path: Path) -> str:
    return f"文件“{path.name}”"


def sniff(path: Path) -> Kind:
    """Decide by content: PK zip, OLE2 (xls or encrypted xlsx), HTML, text or nothing."""
    path = Path(path)
    try:
        st = path.stat()
        size = st.st_size
        if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
            # a named pipe or a device: opening it would wait for a writer forever
            raise FileRejected(f"“{path.name}”不是普通文件（可能是管道或设备），不能作为表格导入。")
        with open(path, "rb") as fh:
            head = fh.read(2048)
    except FileNotFoundError:
        raise FileRejected(f"{_label(path)}不存在：{path}") from None
    except IsADirectoryError:
        raise FileRejected(f"“{path}”是文件夹，不是表格文件。") from None
    except OSError as exc:
        raise FileRejected(f"无法读取{_label(path)}：{exc.strerror or exc}") from None
    if size == 0:
        return Kind("empty")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return Kind("zip")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Kind("ole")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")) or \
            b"<html" in stripped[:512]:
        return Kind("html")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Kind("unknown")
    return Kind("csv")


def not_a_workbook(path: Path, kind: Kind) -> FileRejected:
    """The message for a file that claims to be a workbook but is not one."""
    label = _label(path)
    if kind.name == "empty":
        return FileRejected(f"{label}是空文件（0 字节），没有可导入的内容。请检查是否选错了文件，"
                            "或文件在复制时损坏。")
    if kind.name == "html":
        return FileRejected(f"{label}不是有效的 Excel 2007+ 文件：它实际上是网页（HTML）格式，"
                            f"只是扩展名为 {path.suffix}（一些系统“导出 Excel”时会这样做）。{XLSX_ADVICE}")
    if kind.name == "ole":
        return FileRejected(f"{label}不是有效的 Excel 2007+ 文件：它是旧版 .xls 格式或设置了打开密码的工作簿。"
                            f"如有密码请先取消密码，然后{XLSX_ADVICE}")
    if kind.name == "csv":
        return FileRejected(f"{label}不是有效的 Excel 2007+ 文件：它的内容是纯文本（可能是改了扩展名的 CSV）。"
                            "请把扩展名改回 .csv 后导入，或" + XLSX_ADVICE)
    if kind.name == "zip":
        return FileRejected(f"{label}是压缩包，但不是 Excel 工作簿（可能是 Word 文档或其他压缩文件）。"
                            + XLSX_ADVICE)
    return FileRejected(f"{label}不是有效的 Excel 2007+ 文件，无法识别其格式。{XLSX_ADVICE}")


PART_WORDS = {"xl/styles.xml": "样式表", "xl/sharedStrings.xml": "共享文字表", "xl/workbook.xml": "工作簿目录"}


def part_cap(name: str, limits: Limits) -> int | None:
    """The limit for a part openpyxl parses whole, or None for a streamed or unread part."""
    for pattern, cap in limits.part_caps:
        if re.fullmatch(pattern, name):
            return cap
    return None


def _part_too_big(label: str, name: str, size: int, cap: int, like: str) -> FileRejected:
    what = PART_WORDS.get(like, "部件") + ("" if like == name and like in PART_WORDS else f"（{name}）")
    shown = f"{size / MB:.0f} MB" if size >= MB else f"{size / 1024:.0f} KB"
    limit = f"{cap // MB} MB" if cap >= MB else f"{cap // 1024} KB"
    return FileRejected(f"{label}中的{what}异常庞大（解压后 {shown}，上限 {limit}），"
                        "正常的表格不会这样，读取它会耗尽内存，已拒绝打开（可能是恶意文件）。"
                        "如确为正常文件，请在 Excel/WPS 中把数据复制到一个新建的工作簿，保存后再导入。")


def open_workbook_zip(path: Path, limits: Limits = DEFAULT_LIMITS) -> SafeZip:
    """The workbook's zip, open and checked (the caller closes it); FileRejected otherwise."""
    label = _label(path)

    def too_many(n: int) -> FileRejected:
        return FileRejected(f"{label}包含 {n} 个内部部件，超过安全上限 {limits.max_entries}，"
                            "不像正常的工作簿，已拒绝打开。")
    try:
        zf = SafeZip(path, label=label, max_entries=limits.max_entries, too_many=too_many)
    except ZipDamaged:
        # includes a damaged directory entry claiming a zip version from the future
        raise FileRejected(f"{label}已损坏或不完整（可能复制中断或U盘拔出过早），无法打开。"
                           f"请重新获取文件，或{XLSX_ADVICE}") from None
    except ZipRefused as exc:
        if any(d.endswith("已加密") for d in exc.details):
            raise FileRejected(f"{label}已加密，无法读取。请在 Excel/WPS 中取消密码后再导入。") from None
        raise FileRejected(exc.user_message + "它可能被改动过，不像 Excel 或 WPS 保存的工作簿。" + XLSX_ADVICE,
                           details=exc.details) from None
    except StorageError as exc:
        raise FileRejected(exc.user_message) from None
    try:
        _check_parts(zf, path, limits)
    except BaseException:
        zf.close()
        raise
    return zf


def prescan_xlsx(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse archives that are bombs, encrypted, truncated, ambiguous or not workbooks."""
    open_workbook_zip(path, limits).close()


_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>")
_ATTR = re.compile(rb'(PartName|ContentType)\s*=\s*["\']([^"\']*)["\']')
# Content types of the parts openpyxl parses whole, wherever the workbook puts them.
_SMALL = "xl/workbook.xml"          # content type -> the part name whose cap applies
_TYPE_CAPS = (("sharedStrings+xml", "xl/sharedStrings.xml"), ("styles+xml", "xl/styles.xml"),
              ("worksheet+xml", None), ("main+xml", _SMALL), ("chartsheet+xml", _SMALL),
              ("drawing+xml", _SMALL), ("chart+xml", _SMALL), ("theme+xml", _SMALL),
              ("properties+xml", _SMALL))


def declared_types(zf: SafeZip) -> dict[str, str]:
    """Part name -> content type, from the overrides in [Content_Types].xml (capped like any part)."""
    entry = zf.get("[Content_Types].xml")
    if entry is None:
        return {}
    try:
        data = zf.read(entry, 4 * MB)
    except (ZipDamaged, ZipRefused):
        return {}
    out = {}
    for m in _OVERRIDE.finditer(data):
        attrs = dict(_ATTR.findall(m.group(0)))
        if b"PartName" in attrs and b"ContentType" in attrs:
            out[attrs[b"PartName"].decode("utf-8", "replace").lstrip("/")] = \
                attrs[b"ContentType"].decode("utf-8", "replace")
    return out


def _cap_for(name: str, content_type: str | None, limits: Limits) -> tuple[int | None, str]:
    """(the cap, the part name whose word the message uses)."""
    if content_type:
        for suffix, like in _TYPE_CAPS:
            if content_type.endswith(suffix):
                return (part_cap(like, limits), like) if like else (None, name)
    return part_cap(name, limits), name


def _check_parts(zf: SafeZip, path: Path, limits: Limits) -> None:
    label = _label(path)
    names = {e.name for e in zf.entries}
    total = 0
    types = declared_types(zf)
    for entry in zf.entries:
        info, name = entry.info, entry.name
        cap, like = _cap_for(name, types.get(name), limits)
        if cap is not None and info.file_size > cap:
            raise _part_too_big(label, name, info.file_size, cap, like)
        if info.file_size >= limits.ratio_floor:     # a bomb first: its size says nothing about rows
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise FileRejected(f"{label}中的部件“{name}”压缩比为 {ratio:.0f}:1，"
                                   f"超过安全上限 {limits.max_ratio:.0f}:1，已拒绝打开（可能是恶意的压缩炸弹文件）。")
        if info.file_size > limits.max_part_uncompressed:
            if name.startswith("xl/worksheets/"):   # an honest but huge sheet
                raise FileRejected(f"{label}的工作表数据（{name}）解压后有 {info.file_size / MB:.0f} MB，"
                                   f"超过单个部件上限 {limits.max_part_uncompressed // MB} MB，远超单次导入上限"
                                   f"（{limits.max_rows:,} 行）。请把它分成几个文件分别导入。")
            raise FileRejected(f"{label}中的部件“{name}”解压后有 "
                               f"{info.file_size / MB:.0f} MB，超过单个部件上限 "
                               f"{limits.max_part_uncompressed // MB} MB，已拒绝打开（可能是恶意的压缩炸弹文件）。")
        total += info.file_size
    if total > limits.max_total_uncompressed:
        raise FileRejected(f"{label}解压后共 {total / MB:.0f} MB，超过上限 "
                           f"{limits.max_total_uncompressed // MB} MB，已拒绝打开。"
                           "如确为正常文件，请删去无关的工作表和图片后再导入。")
    if "[Content_Types].xml" not in names or not any(
            n.startswith("xl/") and n.endswith(("workbook.xml", "workbook.bin")) for n in names):
        raise not_a_workbook(path, Kind("zip"))
    if any(n.endswith("workbook.bin") for n in names) and "xl/workbook.xml" not in names:
        raise FileRejected(f"{label}是 Excel 二进制工作簿（.xlsb），本软件不能直接读取。{XLSX_ADVICE}")
