"""JSON from outside (a bundle, a backup's manifest, files in the data folder) parsed with bounds.

Python's json parser recurses once per nesting level (200,000 `[` end in RecursionError) and
builds every value in memory (a 60 MB `[{},{},…]` becomes 1.5 GB of dicts). Before parsing, one
pass in C-speed regular expressions measures the text: its size, how deep the brackets nest and
how many values it holds; anything beyond the caller's limits is refused with a Chinese message
naming the file, and only then does `json.loads` run.
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.errors import AppError

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\[\]|\{\}")
MB = 1024 * 1024


class JsonRefused(AppError):
    """The JSON text is too large, too deep or has too many values to parse safely."""


def measure(data: bytes, max_depth: int) -> tuple[int | None, int]:
    """(nesting depth, or None when deeper than max_depth; number of values, roughly).

    Raises ValueError for brackets that do not pair up: json.loads would recurse into them
    before noticing."""
    skeleton = _STRING.sub(b"0", data)
    values = skeleton.count(b",") + 1
    brackets = _NOT_BRACKET.sub(b"", skeleton)
    depth = 0
    while brackets:
        if depth >= max_depth:
            return None, values
        shorter = _INNERMOST.sub(b"", brackets)
        if shorter == brackets:
            raise ValueError("unbalanced brackets")
        brackets, depth = shorter, depth + 1
    return depth, values


def loads(data: bytes | str, *, what: str, max_bytes: int, max_depth: int = 64,
          max_values: int | None = None) -> Any:
    """Parse `data` (named `what` in messages, e.g. "报送包中的 data/bundle.json").

    Raises JsonRefused when a limit is exceeded and ValueError when the text is not JSON.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        size = f"{len(raw) / MB:.0f} MB" if len(raw) >= MB else f"{len(raw) // 1024} KB"
        raise JsonRefused(f"{what}有 {size}，超过上限 {max_bytes / MB:g} MB，不像本软件写出的文件，未读取其内容。")
    depth, values = measure(raw, max_depth)
    if depth is None:
        raise JsonRefused(f"{what}的括号嵌套超过 {max_depth} 层，不像本软件写出的文件，未读取其内容。")
    if max_values is not None and values > max_values:
        raise JsonRefused(f"{what}含有约 {values:,} 个数据项，超过上限 {max_values:,}，不像本软件写出的文件，"
                          "未读取其内容。")
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:               # belt and braces: measure() already bounded the depth
        raise JsonRefused(f"{what}的嵌套层数过多，未读取其内容。") from None
