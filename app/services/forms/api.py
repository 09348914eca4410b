"""Public API of the forms: print sign-off forms to a PDF, and rasterise PDF pages.

    write_forms(ws, dest, kind=None, teacher=None, seal=None, period=None, progress=NO_PROGRESS) -> Path
    make_forms(...)  -> FormsResult   (the same, plus page counts and warnings)
    render_pages(pdf_path, dpi=150, first=0, count=None) -> list[PageImage]   (Qt-free preview)

kind None prints the full set in one PDF: 汇总, every teacher's 个人, 公示, and 密钥
(when the school has a key, or when printing for a sealed bundle). The PDF is
written to a temporary name beside `dest` and renamed into place when complete.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import AppError, ValidationError
from app.services.fileio import fsync_dir, os_errors, replace_with_retry
from app.services.forms.data import gather, normalize_kind, parse_period
from app.services.forms.dto import KIND_KEY, KIND_NOTICE, KIND_PERSONAL, KIND_SUMMARY, KINDS
from app.services.progress import NO_PROGRESS, Progress
from app.services.seal import SealInfo

if TYPE_CHECKING:                       # reportlab is loaded only by the process that lays out
    from app.services.forms.render import FormPages

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FormsResult:
    path: Path
    pages: int
    forms: tuple[FormPages, ...]
    warnings: tuple[str, ...]          # e.g. rare characters outside the font
    size: int                          # bytes

    def to_dict(self) -> dict:
        return {"path": str(self.path), "pages": self.pages, "size": self.size,
                "warnings": list(self.warnings),
                "forms": [{"kind": f.kind, "title": f.title, "teacher": f.who, "first_page": f.first_page,
                           "pages": f.pages} for f in self.forms]}


def _kinds(kind: str | None, teacher: str | None) -> tuple[str, ...]:
    k = normalize_kind(kind)
    if teacher and k not in (None, KIND_PERSONAL):
        raise ValidationError("只能为教师个人签字确认表指定教师。", field="teacher",
                              cli_hint="--teacher 只用于 --kind 个人。")
    if teacher or k == KIND_PERSONAL:
        return (KIND_PERSONAL,)
    return (k,) if k else KINDS


def make_forms(ws, dest: Path, *, kind: str | None = None, teacher: str | None = None,
               seal: SealInfo | None = None, period: str | None = None,
               progress: Progress = NO_PROGRESS) -> FormsResult:
    dest = Path(dest)
    if dest.suffix.lower() != ".pdf":
        raise ValidationError(f"输出文件“{dest.name}”应以 .pdf 结尾。", field="dest")
    kinds = _kinds(kind, teacher)
    span = parse_period(period)
    include_key = KIND_KEY in kinds and (kind is not None or seal is not None or _has_key(ws))
    if seal is not None:
        _check_seal_school(ws, seal)
    progress.report(0, 1, "正在读取数据", force=True)
    fs = gather(ws, kinds=kinds, teacher=teacher, period=span, include_key=include_key)
    if KIND_PERSONAL in kinds and not fs.teachers and kinds == (KIND_PERSONAL,):
        raise AppError("没有需要打印个人签字确认表的教师。请先录入教师。")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    from app.services.forms.render import render
    try:
        with os_errors(dest):
            with open(tmp, "wb") as fh:
                result = render(fs, fh, kinds=kinds, seal=seal, progress=progress)
                fh.flush()
                os.fsync(fh.fileno())
            replace_with_retry(tmp, dest)
            fsync_dir(dest.parent)
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass
    for w in result.warnings:
        log.warning("forms: %s", w)
    return FormsResult(dest, result.pages, result.forms, result.warnings + fs.notes, dest.stat().st_size)


def write_forms(ws, dest: Path, *, kind: str | None = None, teacher: str | None = None,
                seal: SealInfo | None = None, period: str | None = None,
                progress: Progress = NO_PROGRESS) -> Path:
    """Print the forms into `dest` (a .pdf path) and return it. See make_forms."""
    return make_forms(ws, dest, kind=kind, teacher=teacher, seal=seal, period=period, progress=progress).path


def start_forms(ws, dest: Path, *, seal: SealInfo, progress: Progress = NO_PROGRESS, warm=None, shared=None):
    """Start printing the full set for a bundle whose seal is not known yet.

    `seal` carries what is known (fingerprint, school code, bag name, allow_incomplete);
    the data is read here, the layout runs in a child process (see sealjob). Returns a
    FormsJob: call `.seal(final_seal)`, then `.wait(progress)` for the PDF path, or
    `.cancel()`. `warm`: a layout process started earlier (warm_forms()), used if alive;
    `shared`: the export's (snapshot, compliance report), see forms.data.gather."""
    from app.services.forms.sealjob import FormsJob
    dest = Path(dest)
    if dest.suffix.lower() != ".pdf":
        raise ValidationError(f"输出文件“{dest.name}”应以 .pdf 结尾。", field="dest")
    _check_seal_school(ws, seal)
    progress.report(0, 1, "正在读取数据", force=True)
    fs = gather(ws, kinds=KINDS, include_key=True, shared=shared)
    for note in fs.notes:
        log.warning("forms: %s", note)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return FormsJob(fs, dest, KINDS, seal, warm=warm)


def warm_forms():
    """Start a layout process now for a start_forms() to come; None when layout runs in a
    thread. The caller closes it (`.close()`) once the export is over, taken or not."""
    from app.services.forms.sealjob import warm_worker
    return warm_worker()


def _check_seal_school(ws, seal: SealInfo) -> None:
    from sqlmodel import select

    from app.models import School
    with ws.sessions() as s:
        code = s.exec(select(School.code)).first()
    if seal.school_code and code and seal.school_code != code:
        raise AppError(f"封存信息属于学校代码 {seal.school_code}，与本校（{code}）不符，未打印。")


def _has_key(ws) -> bool:
    try:
        from app.services.keys import key_exists
        return key_exists(ws)
    except ImportError:
        return False


# --------------------------------------------------------------------------- preview


@dataclass(frozen=True)
class PageImage:
    """One rendered page: raw RGBA8888 pixels, top row first (QImage.Format_RGBA8888)."""
    index: int            # 0-based page index
    width: int
    height: int
    stride: int           # bytes per row
    data: bytes


def page_count(pdf_path: str | os.PathLike) -> int:
    import pypdfium2 as pdfium
    with os_errors(pdf_path):
        pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def render_pages(pdf_path: str | os.PathLike, dpi: float = 150, *, first: int = 0,
                 count: int | None = None) -> list[PageImage]:
    """Rasterise pages of a PDF for an on-screen preview or for printing through QPrinter.

    Uses pypdfium2 only (no Qt, no PIL): the GUI wraps each page as
    QImage(page.data, page.width, page.height, page.stride, QImage.Format_RGBA8888).
    Pages are rendered on white with annotations; `first`/`count` select a range.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_raw
    if dpi <= 0 or dpi > 1200:
        raise ValidationError(f"分辨率 {dpi} dpi 不合理（应在 1–1200 之间）。", field="dpi")
    with os_errors(pdf_path):
        pdf = pdfium.PdfDocument(str(pdf_path))
    out = []
    try:
        n = len(pdf)
        last = n if count is None else min(n, first + max(0, count))
        for i in range(max(0, first), last):
            page = pdf[i]
            try:
                bitmap = page.render(scale=dpi / 72.0, rev_byteorder=True,
                                     force_bitmap_format=pdfium_raw.FPDFBitmap_BGRA,
                                     fill_color=(255, 255, 255, 255), may_draw_forms=True)
                try:
                    data = bytes(bitmap.buffer)
                    out.append(PageImage(i, bitmap.width, bitmap.height, bitmap.stride, data))
                finally:
                    bitmap.close()
            finally:
                page.close()
    finally:
        pdf.close()
    return out


__all__ = ["FormsResult", "PageImage", "make_forms", "page_count", "render_pages", "start_forms",
           "warm_forms", "write_forms",
           "KIND_KEY", "KIND_NOTICE", "KIND_PERSONAL", "KIND_SUMMARY", "KINDS"]
