"""Compress each page's content stream as soon as the page is finished.

reportlab keeps every finished page's drawing operators as text until the file is
saved, then compresses them all. A 1,000-teacher print run is ~2,000 pages of
~40 KB each: about 90 MB held for nothing. Compressing a page the moment it is
finished keeps ~2 KB of it instead; the bytes in the file are the same kind of
FlateDecode stream (without the ASCII85 layer reportlab adds, so also smaller).
"""

from __future__ import annotations

import zlib

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream


def compress_last_page(doc) -> None:
    """Replace the text stream of the page just added to `doc` (a PDFDocument) by its
    compressed bytes. Pages reportlab did not give a plain stream are left alone."""
    pages = getattr(doc.Pages, "pages", None)
    if not pages:
        return
    page = pages[-1]
    stream = getattr(page, "stream", None)
    if page.Contents or not stream or not getattr(page, "compression", 0):
        return
    if isinstance(stream, str):
        stream = stream.encode("utf-8")
    if not isinstance(stream, bytes):
        return
    d = PDFDictionary()
    d["Filter"] = PDFArray([PDFName("FlateDecode")])
    s = PDFStream(d, zlib.compress(stream, 6))
    s.__Comment__ = "page stream"
    page.Contents = s
    page.stream = None
