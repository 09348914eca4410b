"""Read CSV text exports: encoding found by BOM, strict UTF-8 with a sanity check, then GB18030
(see `decode_text`); the delimiter chosen by the header it yields."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from app.services.excel.safety import DEFAULT_LIMITS, XLSX_ADVICE, FileRejected, Limits
from app.services.excel.sources import Row, SheetScan, SheetSource, SourceFile

ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8（带BOM）", "gb18030": "GB18030（GBK）",
                   "utf-16": "UTF-16"}


def _suspicious(ch: str) -> bool:
    """Two-byte UTF-8 range (Latin-1 … Arabic): what GBK bytes turn into when misread."""
    return "\u0080" <= ch <= "\u07ff" and ch != "\u00b7"


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


def decode_text(data: bytes, name: str = "") -> tuple[str, str]:
    """BOM, then strict UTF-8 with the GBK-looks-like-UTF-8 check, then GB18030."""
    label = f"文件“{name}”" if name else "文件"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise FileRejected(f"{label}的编码（UTF-16）有误，无法读取。请用 Excel 另存为“CSV UTF-8”后再导入。") \
                from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        odd = sum(1 for ch in text if _suspicious(ch))
        if not odd:
            return text, "utf-8"
        try:
            alt = data.decode("gb18030")
        except UnicodeDecodeError:
            return text, "utf-8"
        if any(_cjk(ch) for ch in alt) and not any(_suspicious(ch) for ch in alt) and \
                sum(1 for ch in text if _cjk(ch)) == 0:
            return alt, "gb18030"
        return text, "utf-8"
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise FileRejected(f"{label}的文字编码无法识别（既不是 UTF-8 也不是 GBK）。"
                           "请在 Excel/WPS 中打开后另存为“CSV UTF-8”或 .xlsx 再导入。") from None


_DELIMITERS = (",", "\t", ";", "|")


def _choose_delimiter(text: str, header_score: Callable[[list[list[Any]]], int] | None) -> str:
    sample_lines = text[:65536].splitlines()[:40]
    sample = "\n".join(sample_lines)
    best, best_key = ",", (-1, -1)
    for d in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=d))
        except csv.Error:
            continue
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        if not widths:
            continue
        score = header_score([list(r) for r in rows]) if header_score else 0
        common = max(set(widths), key=widths.count)
        key = (score, common if common > 1 else 0)
        if key > best_key:
            best, best_key = d, key
    return best


_QUOTED_FORMULA = re.compile(r"^'[=+\-@\t\r]")


def _csv_cell(text: str) -> Any:
    if text == "" or text.isspace():
        return None
    if _QUOTED_FORMULA.match(text):      # our own CSV exports escape formulas with '
        return text[1:]
    return text


def open_csv(path: Path, limits: Limits = DEFAULT_LIMITS,
             header_score: Callable[[list[list[Any]]], int] | None = None) -> SourceFile:
    label = f"文件“{path.name}”"
    size = path.stat().st_size
    if size > limits.max_text_bytes:
        raise FileRejected(f"{label}有 {size / (1 << 20):.0f} MB，超过 CSV 导入上限 "
                           f"{limits.max_text_bytes // (1 << 20)} MB。请分成几个文件导入。")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileRejected(f"无法读取{label}：{exc.strerror or exc}") from None
    text, encoding = decode_text(data, path.name)
    del data
    # a BOM inside the text (two exports pasted into one file) is invisible and never meant
    text = text.replace("\ufeff", "")
    if "\x00" in text:
        raise FileRejected(f"{label}含有二进制内容，不是文本格式的 CSV 文件。{XLSX_ADVICE}")
    delimiter = _choose_delimiter(text, header_score)

    def rows() -> Iterator[Row]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for n, record in enumerate(reader, 1):
                if len(record) > limits.max_columns:
                    record = record[:limits.max_columns]
                yield n, tuple(_csv_cell(c) for c in record)
        except csv.Error as exc:
            logging.getLogger(__name__).info("csv error in %s: %s", path, exc)
            cause = "某个单元格超过 13 万个字符" if "field limit" in str(exc) else "引号不成对或行尾不规范"
            raise FileRejected(f"{label}的 CSV 格式有误（{cause}），无法读取。{XLSX_ADVICE}") from None

    sheet = SheetSource(path.stem, rows, lambda: SheetScan())
    return SourceFile(path, "csv", [sheet], encoding=ENCODING_LABELS.get(encoding, encoding))
