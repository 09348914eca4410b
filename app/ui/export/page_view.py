"""A scrollable view of a PDF's pages, rendered on demand in the background (no QtPdf needed).

Only the pages on screen are rendered (`render_pages`, pypdfium2, at the
zoom's resolution), and only the last few are kept, so a 200-page set of forms
previews in a few tens of MB. Until a page is rendered, a white sheet with its
number stands in for it.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from app.services.forms.api import render_pages
from app.ui import jobs

A4_POINTS = (595.0, 842.0)
GAP = 14
MARGIN = 16
CACHE_BYTES = 64 * 1024 ** 2
BATCH = 3


class PageView(QAbstractScrollArea):
    current_page_changed = Signal(int)      # 0-based
    page_rendered = Signal(int)             # 0-based index of a page just drawn for the first time

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageView")
        self.viewport().setStyleSheet("background: #8a9099;")
        self.verticalScrollBar().setSingleStep(40)
        self._pdf: Path | None = None
        self._count = 0
        self._zoom: float | None = None      # None: fit width; else 1.0 = real size on screen
        self._sizes: dict[int, tuple[float, float]] = {}     # page → (width, height) in points, once known
        self._cache: OrderedDict[int, tuple[QImage, float]] = OrderedDict()   # page → (image, dpi)
        self._job: jobs.Job | None = None
        self._generation = 0
        self._failed = False
        self._alive = True
        self._current = -1
        self.rendered_pages: set[int] = set()   # every page drawn at least once (status line, tests)

    # ---- public API

    def set_document(self, pdf: Path, count: int) -> None:
        self._pdf, self._count = Path(pdf), max(0, count)
        self._sizes.clear()
        self._cache.clear()
        self._reset_cache()
        self.verticalScrollBar().setValue(0)

    def page_count(self) -> int:
        return self._count

    def set_zoom(self, zoom: float | None) -> None:
        """None fits the page width into the view; 1.0 is the real size."""
        if zoom == self._zoom:
            return
        anchor = self.current_page()
        self._zoom = zoom
        self._reset_cache()
        self.scroll_to_page(anchor)

    def current_page(self) -> int:
        if not self._count:
            return 0
        middle = self.verticalScrollBar().value() + self.viewport().height() // 3
        for i, rect in enumerate(self._rects()):
            if rect.bottom() + GAP >= middle:
                return i
        return self._count - 1

    def scroll_to_page(self, index: int) -> None:
        rects = self._rects()
        if rects:
            index = max(0, min(index, len(rects) - 1))
            self._update_scrollbars()
            self.verticalScrollBar().setValue(rects[index].top() - MARGIN)
        self._request_visible()

    def close_document(self) -> None:
        """Stop rendering (the dialog is closing): late results are dropped."""
        self._alive = False
        self._generation += 1
        if self._job is not None:
            self._job.cancel()
        self._cache.clear()

    # ---- geometry

    def _scale(self) -> float:
        """Device-independent pixels per PDF point."""
        if self._zoom is not None:
            return self._zoom * 96.0 / 72.0
        widest = max([w for w, _h in self._sizes.values()] + [A4_POINTS[0]])
        avail = max(200, self.viewport().width() - 2 * MARGIN)
        return avail / widest

    def _size_of(self, index: int) -> tuple[float, float]:
        return self._sizes.get(index) or self._sizes.get(0) or A4_POINTS

    def _rects(self) -> list[QRect]:
        scale = self._scale()
        out, y = [], MARGIN
        view_w = self.viewport().width()
        for i in range(self._count):
            w_pt, h_pt = self._size_of(i)
            w, h = round(w_pt * scale), round(h_pt * scale)
            x = max(MARGIN, (view_w - w) // 2) - self.horizontalScrollBar().value()
            out.append(QRect(x, y, w, h))
            y += h + GAP
        return out

    def _update_scrollbars(self) -> None:
        rects = self._rects()
        content_h = (rects[-1].bottom() + MARGIN) if rects else 0
        content_w = (max(r.width() for r in rects) + 2 * MARGIN) if rects else 0
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        vbar.setPageStep(self.viewport().height())
        vbar.setRange(0, max(0, content_h - self.viewport().height()))
        hbar.setPageStep(self.viewport().width())
        hbar.setRange(0, max(0, content_w - self.viewport().width()))

    def _visible(self) -> list[int]:
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        return [i for i, r in enumerate(self._rects()) if r.bottom() >= top and r.top() <= bottom]

    # ---- rendering

    def _reset_cache(self) -> None:
        """New document or zoom: drop late results; cached pages stay (drawn scaled) until re-rendered."""
        self._generation += 1
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self._update_scrollbars()
        self.viewport().update()
        self._request_visible()

    def _wanted_dpi(self) -> float:
        return max(36.0, min(300.0, self._scale() * 72.0 * self.devicePixelRatioF()))

    def _request_visible(self) -> None:
        if not self._alive or self._failed or self._pdf is None or self._job is not None or not self._count:
            return
        visible = self._visible()
        if visible:                           # one page beyond the screen, so scrolling finds it ready
            visible.append(min(self._count - 1, visible[-1] + 1))
        dpi = self._wanted_dpi()
        missing = [i for i in dict.fromkeys(visible)
                   if i not in self._cache or abs(self._cache[i][1] - dpi) > dpi * 0.08][:BATCH]
        if not missing:
            return
        pdf, generation = self._pdf, self._generation

        def work(ctx):
            out = []
            for i in missing:
                ctx.check()
                out += render_pages(pdf, dpi, first=i, count=1)
            return out

        holder: list = []
        job = jobs.run_in_background(self, work, touches_db=False,
                                     on_done=lambda pages: self._on_rendered(holder[0], generation, dpi, pages),
                                     on_failed=lambda exc: self._on_render_failed(holder[0], exc))
        holder.append(job)
        self._job = job

    def _on_rendered(self, job, generation: int, dpi: float, pages: list) -> None:
        if not self._alive:
            return
        if self._job is job:
            self._job = None
        if generation != self._generation:
            self._request_visible()
            return
        relayout = False
        for page in pages:
            image = QImage(page.data, page.width, page.height, page.stride, QImage.Format.Format_RGBA8888).copy()
            size = (page.width * 72.0 / dpi, page.height * 72.0 / dpi)
            known = self._sizes.get(page.index)
            if known is None or abs(known[0] - size[0]) > 2 or abs(known[1] - size[1]) > 2:
                self._sizes[page.index] = size
                relayout = True
            self._cache[page.index] = (image, dpi)
            self._cache.move_to_end(page.index)
            if page.index not in self.rendered_pages:
                self.rendered_pages.add(page.index)
                self.page_rendered.emit(page.index)
        self._evict()
        if relayout:
            self._update_scrollbars()
        self.viewport().update()
        self._request_visible()

    def _evict(self) -> None:
        """Keep the pages on screen, and the most recent others up to the memory budget."""
        visible = set(self._visible())
        used = sum(img.sizeInBytes() for img, _dpi in self._cache.values())
        for index in list(self._cache):
            if used <= CACHE_BYTES:
                break
            if index not in visible:
                used -= self._cache.pop(index)[0].sizeInBytes()

    def _on_render_failed(self, job, exc: BaseException) -> None:
        if self._job is job:
            self._job = None
        if not self._alive:
            return
        self._failed = True
        from app.ui.errors import show_error
        show_error(self, exc)

    # ---- Qt events

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        top = self.verticalScrollBar().value()
        area = event.rect()
        for i, rect in enumerate(self._rects()):
            r = rect.translated(0, -top)
            if r.bottom() < area.top() or r.top() > area.bottom():
                continue
            painter.fillRect(r.translated(3, 3), QColor(0, 0, 0, 60))
            painter.fillRect(r, Qt.GlobalColor.white)
            cached = self._cache.get(i)
            if cached is not None:
                painter.drawImage(QRectF(r), cached[0])
            else:
                painter.setPen(QColor("#888888"))
                painter.drawText(r, Qt.AlignmentFlag.AlignCenter, f"第 {i + 1} 页\n正在显示…")
            painter.setPen(QPen(QColor("#5f6670"), 1))
            painter.drawRect(r.adjusted(0, 0, -1, -1))
        painter.end()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()
        self._request_visible()
        page = self.current_page()
        if page != self._current:
            self._current = page
            self.current_page_changed.emit(page)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbars()
        self._request_visible()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_scrollbars()
        self._request_visible()
