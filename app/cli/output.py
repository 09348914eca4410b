"""Printing helpers shared by the command modules.

Everything the command line prints goes through `SafeStream` (installed on stdout and stderr by
`install_safe_streams()` in main): control and invisible characters from the data – an ESC
sequence in a teacher's name, a bidi override in a file name inside a bundle – are written as a
visible `\\uXXXX` (also a valid JSON escape), never raw. Progress lines that redraw themselves
use `progress_line()`, the one place a carriage return is written on purpose.
"""

from __future__ import annotations

import io
import sys
from datetime import date, datetime
from typing import Any

from app.services.validation.controls import escape_invisible


class SafeStream(io.TextIOBase):
    """A text stream that escapes control and invisible characters before they reach `raw`."""

    def __init__(self, raw) -> None:
        super().__init__()
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(escape_invisible(text))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()

    @property
    def encoding(self):  # noqa: D401 - mirrors the wrapped stream
        return getattr(self.raw, "encoding", "utf-8")

    def writable(self) -> bool:
        return True


def install_safe_streams() -> None:
    """Wrap sys.stdout and sys.stderr (once) so nothing raw from the data reaches the terminal."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, SafeStream):
            setattr(sys, name, SafeStream(stream))


def progress_line(text: str, *, last: bool = False) -> None:
    """Redraw the progress line on stderr: the carriage return is ours, the text is escaped."""
    raw = getattr(sys.stderr, "raw", sys.stderr)
    raw.write("\r" + escape_invisible(text) + ("\n" if last else ""))
    raw.flush()


def _default(obj: Any) -> Any:
    import dataclasses
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"not JSON serialisable: {type(obj)}")


def print_json(obj: Any) -> None:
    # json escapes C0 itself; escape_invisible covers C1, bidi and zero-width (as \uXXXX, valid JSON)
    import json
    sys.stdout.write(escape_invisible(json.dumps(obj, ensure_ascii=False, indent=2, default=_default)) + "\n")


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned table; CJK characters count double width."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    cells = [[escape_invisible(str(c), keep="") if c is not None else "" for c in r] for r in rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print(line(r))
