"""Find the header row and recognise the column names offices really use.

Rosters exported by other systems start with title rows ("XX学校教师花名册"),
sometimes have a two-level header (a merged "联系方式" over 手机/邮箱), mark
required columns with * or （必填）, and carry columns this app does not need.
The header row is the row among the first rows that names the most known
fields; an adjacent row that adds more known names is read as part of it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.services.excel.plain import get_column_letter
from app.services.excel.readers import Row, cell_text, is_blank


@dataclass(frozen=True)
class FieldSpec:
    key: str                      # e.g. "id_number", or "cat:网络研修" for a wide hours column
    label: str                    # the name this app writes in templates and messages
    synonyms: tuple[str, ...] = ()
    required: bool = False
    text: bool = False            # keep as text (ID, phone, 工号)

    def names(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)


@dataclass(frozen=True)
class ColumnInfo:
    index: int                    # 0-based position in the row
    letter: str                   # "C"
    header: str                   # the text in the file
    field: str | None             # a FieldSpec.key, or None when the column is ignored
    note: str = ""                # e.g. "与 C 列重复，已忽略"

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "letter": self.letter, "header": self.header,
                "field": self.field, "note": self.note}


@dataclass(frozen=True)
class HeaderInfo:
    rows: tuple[int, ...]         # Excel row numbers that make up the header
    columns: tuple[ColumnInfo, ...]
    score: int

    @property
    def last_row(self) -> int:
        return max(self.rows)

    def mapping(self) -> dict[str, int]:
        return {c.field: c.index for c in self.columns if c.field}


_STRIP = re.compile(r"[\s\*＊★☆※:：_\-—]+")
_PAREN = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


def normalize_header(value: Any) -> str:
    """NFKC, no spaces, no required-marks or hints in brackets: "身份证号码（必填）*" → 身份证号码."""
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    without = _PAREN.sub("", text)
    text = without if _STRIP.sub("", without) else text
    return _STRIP.sub("", text).lower()


class FieldIndex:
    """Lookup from normalised header text to field key."""

    def __init__(self, fields: Sequence[FieldSpec]) -> None:
        self.fields = list(fields)
        self.by_key = {f.key: f for f in fields}
        self._names: dict[str, str] = {}
        for f in fields:
            for name in f.names():
                self._names.setdefault(normalize_header(name), f.key)

    def match(self, value: Any) -> str | None:
        norm = normalize_header(value)
        if not norm:
            return None
        return self._names.get(norm)

    def label(self, key: str) -> str:
        f = self.by_key.get(key)
        return f.label if f else key

    def row_score(self, values: Iterable[Any]) -> int:
        return len({k for k in (self.match(v) for v in values if v is not None) if k})


def detect_header(rows: Sequence[Row], index: FieldIndex, *, min_score: int = 2,
                  merged: Sequence[tuple[int, int, int, int]] = ()) -> HeaderInfo | None:
    """Pick the header among the given leading rows (None if nothing looks like one).

    `merged` (r1, c1, r2, c2) ranges let a header cell merged downwards pull the
    rows it covers into the header (a two-level header).
    """
    best: tuple[int, int] | None = None       # (score, position)
    for pos, (_n, values) in enumerate(rows):
        score = index.row_score(values)
        if score >= min_score and (best is None or score > best[0]):
            best = (score, pos)
    if best is None:
        return None
    pos = best[1]
    used = [pos]
    mapping: dict[int, str] = {}
    headers: dict[int, str] = {}
    _absorb(rows[pos][1], index, mapping, headers)
    name_col = next((c for c, k in mapping.items() if k == "name"), None)
    row_no = rows[pos][0]
    depth = max((r2 - r1 for r1, _c1, r2, _c2 in merged if r1 == row_no and r2 > r1), default=0)
    below = [p for p in range(pos + 1, min(pos + 1 + min(depth, 3), len(rows)))]
    forced = set(below)
    # A second header line below (sub-headers under a merged parent), or above.
    for other in [*below, *([pos + 1] if not below else []), pos - 1]:
        if not 0 <= other < len(rows) or other in used:
            continue
        values = rows[other][1]
        if is_blank(values):
            continue
        matches = {c: k for c, k in ((c, index.match(v)) for c, v in enumerate(values)) if k}
        if other not in forced:
            if not matches:
                continue
            if other > pos and name_col is not None and name_col < len(values) and \
                    values[name_col] not in (None, "") and index.match(values[name_col]) is None:
                continue                          # the row below has a name: it is data
            unknown = [v for c, v in enumerate(values) if v not in (None, "") and c not in matches]
            if len(unknown) > len(matches):
                continue
        for c, k in matches.items():
            if k not in mapping.values() and c not in mapping:
                mapping[c] = k
                headers[c] = cell_text(values[c]).strip()
        for c, v in enumerate(values):
            if v not in (None, "") and c not in headers:
                headers[c] = cell_text(v).strip()
        used.append(other)
    columns = []
    for c in sorted(headers):
        columns.append(ColumnInfo(c, get_column_letter(c + 1), headers[c], mapping.get(c)))
    numbers = tuple(sorted(rows[p][0] for p in used))
    return HeaderInfo(numbers, tuple(columns), len(set(mapping.values())))


def _absorb(values: Sequence[Any], index: FieldIndex, mapping: dict[int, str],
            headers: dict[int, str]) -> None:
    for c, v in enumerate(values):
        text = cell_text(v).strip()
        if not text:
            continue
        headers[c] = text
        key = index.match(v)
        if key and key not in mapping.values():
            mapping[c] = key


def apply_mapping(header: HeaderInfo, override: dict[int, str | None] | None,
                  index: FieldIndex) -> HeaderInfo:
    """Replace the detected mapping with the user's choices (column index → field key or None).

    A field chosen for one column is taken away from any other column.
    """
    if not override:
        return _mark_duplicates(header, index)
    chosen = {c: k for c, k in override.items() if k}
    for k in chosen.values():
        if k not in index.by_key:
            from app.errors import ValidationError
            raise ValidationError(f"未知的字段“{k}”。", field="mapping")
    taken = set(chosen.values())
    known = {c.index: c for c in header.columns}
    columns = []
    for c in sorted(set(known) | set(override)):
        info = known.get(c)
        head = info.header if info else ""
        if c in override:
            key = override[c]
        else:
            key = info.field if info and info.field not in taken else None
        columns.append(ColumnInfo(c, get_column_letter(c + 1), head, key))
    return _mark_duplicates(HeaderInfo(header.rows, tuple(columns), header.score), index)


def _mark_duplicates(header: HeaderInfo, index: FieldIndex) -> HeaderInfo:
    seen: dict[str, ColumnInfo] = {}
    columns = []
    for col in header.columns:
        if col.field and col.field in seen:
            first = seen[col.field]
            columns.append(ColumnInfo(col.index, col.letter, col.header, None,
                                      f"与 {first.letter} 列“{first.header}”同为“{index.label(col.field)}”，已忽略"))
            continue
        if col.field:
            seen[col.field] = col
        columns.append(col)
    return HeaderInfo(header.rows, tuple(columns), header.score)


SUMMARY_WORDS = ("合计", "小计", "总计", "共计", "总数", "累计")
FOOTER_WORDS = ("填表人", "制表人", "制表", "审核人", "审核", "负责人", "校长签字", "填报人", "注:", "注：",
                "说明:", "说明：", "备注:", "备注：", "盖章", "单位盖章", "填表日期", "报送日期")


_FIRST_CHARS = re.compile("[" + "".join(sorted({w[0] for w in (*SUMMARY_WORDS, *FOOTER_WORDS)})) + "]")


def _cannot_be_summary(value: Any) -> bool:
    """A cheap proof that a cell starts no 合计/footer word: a number, ASCII text, or text that
    NFKC leaves alone and that holds none of the words' first characters (checked in C)."""
    if isinstance(value, (int, float)):
        return True
    if not isinstance(value, str):
        return False
    return value.isascii() or (unicodedata.is_normalized("NFKC", value) and _FIRST_CHARS.search(value) is None)


def summary_cells(columns: Sequence[int]) -> list[int]:
    """Where summary_in looks: the first three cells and the key columns (once per sheet)."""
    return list(dict.fromkeys([0, 1, 2, *columns]))


def summary_in(values: Sequence[Any], look: Sequence[int]) -> bool:
    """A 合计/小计 row, or a footer such as 填表人：… (in the cells `look` names).

    The row's texts are first looked at together, joined by NUL (a starter that composes with
    nothing, so the joined text is NFKC-normal exactly when each part is): a row whose texts are
    ASCII, or normal and without any word's first character, is none (5,000 rows a file)."""
    n = len(values)
    texts = []
    for c in look:
        if c < n:
            v = values[c]
            if v.__class__ is str:
                texts.append(v)
            elif v is not None and not isinstance(v, (int, float)):
                return _summary_in_cells(values, look)
    if not texts:
        return False
    joined = "\x00".join(texts)
    if joined.isascii() or (unicodedata.is_normalized("NFKC", joined) and _FIRST_CHARS.search(joined) is None):
        return False
    return _summary_in_cells(values, look)


def _summary_in_cells(values: Sequence[Any], look: Sequence[int]) -> bool:
    for c in look:
        if c >= len(values) or values[c] is None or _cannot_be_summary(values[c]):
            continue
        text = _STRIP.sub("", unicodedata.normalize("NFKC", cell_text(values[c])))
        if not text:
            continue
        if text.startswith(SUMMARY_WORDS):
            return True
        raw = unicodedata.normalize("NFKC", cell_text(values[c])).strip()
        if raw.startswith(FOOTER_WORDS) or raw.replace(" ", "").startswith(FOOTER_WORDS):
            return True
    return False
