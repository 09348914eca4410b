"""FormSet (DTOs) → one A4 PDF. Pure: no database; safe to run off the DB thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate

from app.services.forms import keyreg, notice, personal, summary
from app.services.forms.dto import (FORM_TITLES, KIND_KEY, KIND_NOTICE, KIND_PERSONAL, KIND_SUMMARY,
                                    KINDS, FormSet)
from app.services.forms.fonts import REGULAR, missing_chars, placeholder, register_fonts
from app.services.forms.layout import (CONTENT_W, FOOTER_H, HEADER_H, MARGIN_X, PAGE_H, PAGE_W, FormCanvas,
                                       Ink, PageContext, Section, SectionStart, _furniture)
from app.services.progress import NO_PROGRESS, Progress
from app.services.seal import SealInfo


@dataclass(frozen=True)
class FormPages:
    kind: str
    title: str
    who: str                 # the teacher for 个人
    first_page: int          # 1-based, in the whole PDF
    pages: int


@dataclass(frozen=True)
class RenderResult:
    pages: int
    forms: tuple[FormPages, ...]
    warnings: tuple[str, ...]

    def pages_of(self, kind: str) -> int:
        return sum(f.pages for f in self.forms if f.kind == kind)


def _plain(text: str) -> str:
    """Page-furniture text (drawn straight on the canvas) with unknown characters replaced."""
    missing = missing_chars(text)
    return "".join(placeholder(ch) if ch in missing else ch for ch in text) if missing else text


class _Doc(BaseDocTemplate):
    def __init__(self, out, ctx: PageContext, on_section, **kw) -> None:
        super().__init__(out, **kw)
        self._ctx = ctx
        self._on_section = on_section

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, SectionStart):
            self._on_section(flowable.section)


class LazyStory(list):
    """The story as reportlab consumes it, built one section at a time.

    `doc.build` only ever looks at the front of its list (and a few flowables ahead for
    keep-with-next chains, which never cross a section's page break), so the flowables
    of a 1,000-teacher print run need not all exist at once: sections are appended
    whenever fewer than `ahead` flowables are left."""

    def __init__(self, chunks: Iterator[list], ahead: int = 256) -> None:
        super().__init__()
        self._chunks: Iterator[list] | None = chunks
        self._ahead = ahead
        self._fill()

    def _fill(self) -> None:
        while self._chunks is not None and list.__len__(self) < self._ahead:
            try:
                self.extend(next(self._chunks))
            except StopIteration:
                self._chunks = None

    def __len__(self) -> int:
        self._fill()
        return list.__len__(self)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, i):
        self._fill()
        return list.__getitem__(self, i)


def render(fs: FormSet | list, out: str | Path | BinaryIO, *, kinds: Sequence[str] | None = None,
           seal: SealInfo | None = None, progress: Progress = NO_PROGRESS,
           seal_later: Callable[[], SealInfo] | None = None) -> RenderResult:
    """Print the forms of `fs` (those in `kinds`, default all present) into `out`.

    With `seal_later`, `seal` is a placeholder carrying what is already known (fingerprint,
    bag name, allow_incomplete): the pages are laid out first and `seal_later()` is called
    when the file is saved, to print the real seal code and QR code on every page.

    `fs` may come as a one-item list, which is emptied: when the caller keeps no other
    reference, each teacher's data is freed once laid out (a 2,000-teacher layout process
    otherwise held all of it, ~20 MB, until the file was saved)."""
    if isinstance(fs, list):
        fs = fs.pop()
    register_fonts()
    if isinstance(out, Path):
        out = str(out)
    kinds = tuple(kinds or KINDS)
    incomplete = bool(seal and seal.allow_incomplete)
    ink = Ink()
    ctx = PageContext(_plain(fs.school.name), fs.printed_on, seal,
                      seal_later=seal_later if seal is not None else None)

    # (kind, who, builder): each section's flowables are made only when layout reaches it
    plan: list[tuple[str, str, Callable[[], list]]] = []
    if KIND_SUMMARY in kinds and fs.summary is not None:
        plan.append((KIND_SUMMARY, "", partial(summary.story, fs.summary, fs.school, ink,
                                               printed_on=fs.printed_on, incomplete=incomplete)))
    if KIND_PERSONAL in kinds:
        for t in fs.teachers:
            plan.append((KIND_PERSONAL, t.name, partial(personal.story, t, fs.school, ink, incomplete=incomplete)))
    if KIND_NOTICE in kinds and fs.notice is not None:
        plan.append((KIND_NOTICE, "", partial(notice.story, fs.notice, fs.school, ink,
                                              programme=fs.school.programme, pass_grades=fs.pass_grades,
                                              incomplete=incomplete)))
    if KIND_KEY in kinds and fs.key is not None:
        plan.append((KIND_KEY, "", partial(keyreg.story, fs.key, fs.school, ink)))
    if not plan:
        raise ValueError("nothing to print")
    total = len(plan)
    title, author = _doc_title(fs, kinds), fs.school.name
    fs = t = None                              # from here on only the plan refers to the forms' data

    def chunks() -> Iterator[list]:
        for n, (kind, who, build) in enumerate(plan):
            if n % 20 == 0:
                progress.check()
            sec = Section(len(ctx.sections), kind, FORM_TITLES[kind], _plain(who))
            ctx.sections.append(sec)
            chunk: list = [PageBreak()] if n else []
            chunk.append(SectionStart(sec))
            chunk.extend(build())
            plan[n] = (kind, who, None)            # the builder holds nothing once used
            yield chunk

    story = LazyStory(chunks())

    def on_section(sec: Section) -> None:
        progress.report(sec.idx, total, f"正在排版：{sec.title}" + (f" · {sec.who}" if sec.who else ""))

    frame = Frame(MARGIN_X, FOOTER_H, CONTENT_W, PAGE_H - HEADER_H - FOOTER_H, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = _Doc(out, ctx, on_section, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN_X, rightMargin=MARGIN_X,
               topMargin=HEADER_H, bottomMargin=FOOTER_H, title=title, author=author,
               subject=seal.seal_code if seal and seal_later is None else "", creator="提升工程2.0 整校推进助手",
               initialFontName=REGULAR, initialFontSize=10, initialLeading=12, lang="zh-CN")
    doc.addPageTemplates([PageTemplate(id="form", frames=[frame], onPageEnd=_furniture, pagesize=(PAGE_W, PAGE_H))])
    doc.build(story, canvasmaker=partial(FormCanvas, context=ctx))
    progress.report(total, total, "排版完成", force=True)
    forms = tuple(FormPages(s.kind, s.title, s.who, s.first_page, s.pages) for s in ctx.sections)
    return RenderResult(ctx.page_no, forms, tuple(ink.warnings))


def _doc_title(fs: FormSet, kinds: Sequence[str]) -> str:
    present = [k for k in KINDS if k in kinds and (
        (k == KIND_PERSONAL and fs.teachers) or (k == KIND_SUMMARY and fs.summary) or
        (k == KIND_NOTICE and fs.notice) or (k == KIND_KEY and fs.key))]
    if len(present) == 1:
        title = FORM_TITLES[present[0]]
        if present[0] == KIND_PERSONAL and len(fs.teachers) == 1:
            title += f"（{fs.teachers[0].name}）"
    else:
        title = "签字确认表"
    return f"{fs.school.name} {title}"
