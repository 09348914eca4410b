"""A page's loads go through Page.load: a slow earlier load that ends after a newer one (or after the
selection was cleared) never overwrites what the newer one showed (the district bundle pages read
their list and a bundle's detail with jobs directly, without that guard)."""

import ast
import threading
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QThreadPool

from app.ui import jobs
from app.ui.district.versions_page import VersionsPage
from app.ui.events import AppEvents

APP_UI = Path(__file__).resolve().parents[2] / "app" / "ui"


class SlowDistrict:
    """bundle_detail(1) and the first list_bundles() wait until released; the others answer at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lists = 0

    def bundle_detail(self, bundle_id):
        if bundle_id == 1:
            assert self.release.wait(10)
        return f"detail-{bundle_id}"

    def list_bundles(self):
        self.lists += 1
        if self.lists == 1:
            assert self.release.wait(10)
            return [SimpleNamespace(old=True)]
        return []


class Page(VersionsPage):
    def detail_html(self, detail) -> str:
        return f"<p>{detail}</p>"


def _two_lanes(monkeypatch) -> None:
    """Loads on a pool of their own with room for both, so the earlier load can really end last
    (the database lane is serial, and Qt's global pool has as many threads as cores)."""
    pool = QThreadPool()
    pool.setMaxThreadCount(4)
    monkeypatch.setattr(jobs, "pool_for", lambda job: pool)


def _page(qtbot):
    district = SlowDistrict()
    page = Page(SimpleNamespace(district=district), AppEvents())
    qtbot.addWidget(page)
    return page, district


def test_a_slow_detail_does_not_replace_the_newer_selection(qtbot, monkeypatch):
    _two_lanes(monkeypatch)
    page, district = _page(qtbot)
    page._on_table_selection_changed(SimpleNamespace(id=1))
    page._on_table_selection_changed(SimpleNamespace(id=2))
    qtbot.waitUntil(lambda: "detail-2" in page.detail.toPlainText(), timeout=5000)
    district.release.set()
    qtbot.waitUntil(lambda: not jobs.active_jobs(), timeout=5000)
    assert page.detail.toPlainText() == "detail-2"


def test_a_detail_ending_after_the_selection_was_cleared_is_dropped(qtbot):
    page, district = _page(qtbot)
    page._on_table_selection_changed(SimpleNamespace(id=1))
    page._on_table_selection_changed(None)
    district.release.set()
    assert jobs.wait_idle(5000)
    assert page.detail.toPlainText() == ""


def test_a_slow_list_does_not_replace_the_newer_one(qtbot, monkeypatch):
    _two_lanes(monkeypatch)
    page, district = _page(qtbot)
    rows = []
    monkeypatch.setattr(page.table, "set_rows", lambda r: rows.append(list(r)))
    page.refresh()
    qtbot.waitUntil(lambda: district.lists == 1, timeout=5000)     # the first load is under way
    page.refresh()
    qtbot.waitUntil(lambda: rows == [[]], timeout=5000)
    district.release.set()
    qtbot.waitUntil(lambda: not jobs.active_jobs(), timeout=5000)
    assert rows == [[]]


def _is_page(cls: ast.ClassDef, pages: set[str]) -> bool:
    return any((b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")) in pages for b in cls.bases)


def test_pages_refresh_through_page_load():
    """The class: no Page subclass's refresh() starts a job itself (it would lack the stale guard)."""
    classes = [(py, node) for py in APP_UI.rglob("*.py")
               for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))) if isinstance(node, ast.ClassDef)]
    pages = {"Page"}
    for _ in range(5):                    # subclasses of subclasses
        pages |= {c.name for _py, c in classes if _is_page(c, pages)}
    assert {"VersionsPage", "RecheckPage", "KeysPage", "TeacherPage"} <= pages
    offenders = []
    for py, cls in classes:
        if cls.name == "Page" or not _is_page(cls, pages):
            continue
        for fn in cls.body:
            if isinstance(fn, ast.FunctionDef) and fn.name == "refresh":
                for call in ast.walk(fn):
                    if isinstance(call, ast.Call) and getattr(call.func, "attr", getattr(call.func, "id", "")) \
                            in ("run_in_background", "run_with_progress"):
                        offenders.append(f"{py.relative_to(APP_UI)}:{call.lineno} {cls.name}.refresh")
    assert offenders == []
