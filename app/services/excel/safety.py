"""Look at a file before any parser touches it.

`sniff()` names what the bytes really are (whatever the extension claims);
`prescan_xlsx()` opens the zip with `zipfile` only and refuses zip bombs,
encrypted or truncated archives and zips that are not workbooks, before
openpyxl ever sees the file. XML entity bombs are stopped by defusedxml,
which openpyxl uses automatically (checked when this package is imported).
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_total_uncompressed: int = 200 * MB
    max_part_uncompressed: int = 100 * MB
    max_ratio: float = 100.0
    ratio_floor: int = 1 * MB          # parts smaller than this cannot be bombs; ratio not checked
    max_entries: int = 10_000
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


def prescan_xlsx(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse archives that are bombs, encrypted, truncated or not workbooks."""
    label = _label(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError):
        # NotImplementedError: a damaged directory entry claiming a zip version from the future
        raise FileRejected(f"{label}已损坏或不完整（可能复制中断或U盘拔出过早），无法打开。"
                           f"请重新获取文件，或{XLSX_ADVICE}") from None
    except OSError as exc:
        raise FileRejected(f"无法读取{label}：{exc.strerror or exc}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise FileRejected(f"{label}包含 {len(infos)} 个内部部件，超过安全上限 {limits.max_entries}，"
                               "不像正常的工作簿，已拒绝打开。")
        names = {i.filename for i in infos}
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise FileRejected(f"{label}已加密，无法读取。请在 Excel/WPS 中取消密码后再导入。")
            if info.file_size >= limits.ratio_floor:     # a bomb first: its size says nothing about rows
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    raise FileRejected(f"{label}中的部件“{info.filename}”压缩比为 {ratio:.0f}:1，"
                                       f"超过安全上限 {limits.max_ratio:.0f}:1，已拒绝打开（可能是恶意的压缩炸弹文件）。")
            if info.file_size > limits.max_part_uncompressed:
                if info.filename.startswith("xl/worksheets/"):   # an honest but huge sheet
                    raise FileRejected(f"{label}的工作表数据（{info.filename}）解压后有 {info.file_size / MB:.0f} MB，"
                                       f"超过单个部件上限 {limits.max_part_uncompressed // MB} MB，远超单次导入上限"
                                       f"（{limits.max_rows:,} 行）。请把它分成几个文件分别导入。")
                raise FileRejected(f"{label}中的部件“{info.filename}”解压后有 "
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
