"""Join the PDFs of a print run laid out in parts into the one file people print.

Pages are copied in order with pikepdf (qpdf), which carries each page's own fonts
and form XObjects (the seal, the page totals) along with it. The document details
(title, author, seal code as subject, language) come from the first part; the
bookmarks, one per form, are rebuilt for the whole file from what each part laid
out, since each part's bookmarks only point into that part.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PartForms:
    """What one part laid out: its file and, per form, (bookmark title, first page, pages)."""
    path: Path
    pages: int
    forms: tuple[tuple[str, int, int], ...]


def join_parts(parts: Sequence[PartForms], dest: Path) -> int:
    """Write the parts, in order, into `dest` (through `<dest>.partial`, synced, renamed);
    returns the page count. Raises ValueError when a part does not hold what it said."""
    import pikepdf
    from pikepdf import OutlineItem, PageLocation

    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".partial")
    opened: list = []
    try:
        out = pikepdf.open(parts[0].path)
        opened.append(out)
        if len(out.pages) != parts[0].pages:
            raise ValueError(f"{parts[0].path.name}: {len(out.pages)} pages, expected {parts[0].pages}")
        for part in parts[1:]:
            src = pikepdf.open(part.path)
            opened.append(src)
            if len(src.pages) != part.pages:
                raise ValueError(f"{part.path.name}: {len(src.pages)} pages, expected {part.pages}")
            out.pages.extend(src.pages)
        with out.open_outline() as outline:
            outline.root.clear()
            offset = 0
            for part in parts:
                for title, first, _n in part.forms:
                    outline.root.append(OutlineItem(title, offset + first - 1, PageLocation.Fit))
                offset += part.pages
        with open(tmp, "wb") as fh:
            out.save(fh)
            fh.flush()
            os.fsync(fh.fileno())
        total = len(out.pages)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    finally:
        for pdf in reversed(opened):
            pdf.close()
    os.replace(tmp, dest)
    return total
