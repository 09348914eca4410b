"""Reading PDFs back: text per page (pypdf and pdftotext), fonts (pdffonts)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

PDFFONTS = shutil.which("pdffonts")
PDFTOTEXT = shutil.which("pdftotext")


def pages_text(pdf: Path) -> list[str]:
    """Text of every page, via `pdftotext -layout` (reading order as printed), whitespace removed."""
    out = subprocess.run([PDFTOTEXT, "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = out.decode("utf-8").split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [re.sub(r"\s+", "", p) for p in pages]


def pypdf_text(pdf: Path) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(str(pdf)).pages]


def fonts(pdf: Path) -> list[dict]:
    """pdffonts rows: name, type, emb (yes/no)."""
    out = subprocess.run([PDFFONTS, str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type [type…] encoding emb sub uni object ID
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3],
                     "type": " ".join(parts[1:-6])})
    return rows


def page_numbers(text: str) -> tuple[int, int]:
    m = re.search(r"第(\d+)页/共(\d+)页", text)
    assert m, f"no page number in {text[:200]}"
    return int(m.group(1)), int(m.group(2))
