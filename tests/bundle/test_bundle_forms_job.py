"""The real sign-off forms, laid out before the seal is known (one or two child processes, or
a thread): every page carries the bundle's seal, and a failure or a cancel at any
step of the paperwork stops the layout and leaves nothing behind."""

from __future__ import annotations

import errno

import pytest

from app.errors import AppError, CancelledError
from app.services import faults
from app.services.bundle import export as export_mod
from app.services.bundle import layout as L
from app.services.bundle.export import ExportOptions, export_bundle
from app.services.bundle.verify import verify_path
from app.services.forms.sealjob import live_workers
from app.services.progress import Progress

from .conftest import FakeFinding, FakeReport


@pytest.fixture(autouse=True)
def _no_faults():
    faults.clear()
    yield
    faults.clear()


@pytest.fixture(params=["process", "two-processes", "thread"])
def real_forms(request, monkeypatch):
    monkeypatch.setenv("TISHENG_FORMS_PROCESS", "0" if request.param == "thread" else "1")
    if request.param == "two-processes":          # as for a large school: two parts, joined
        from app.services.forms import split
        monkeypatch.setattr(split, "MIN_TEACHERS_TO_SPLIT", 4)
        monkeypatch.setenv("TISHENG_FORMS_PARTS", "2")
    plugins = export_mod.default_plugins()
    assert plugins.start_forms is not None
    plugins.write_report = None                # the workbook is not what is tested here
    plugins.run_check = lambda ws: FakeReport()
    return plugins


def _pdf_pages_text(path) -> list[str]:
    import pypdf
    return [p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages]


def _no_layout_left() -> bool:
    return live_workers() == 0


def test_every_page_prints_the_seal_it_was_given_later(school, usb, real_forms):
    ws, _ = school
    result = export_bundle(ws, usb, ExportOptions(allow_incomplete=True), plugins=real_forms)
    assert result.parts[L.FORMS_PDF]
    pages = _pdf_pages_text(result.path / L.FORMS_PDF)
    assert len(pages) > 40
    assert all(result.seal.seal_code in t and result.fingerprint in t for t in pages)
    assert verify_path(result.path).ok
    assert _no_layout_left()


@pytest.mark.parametrize("point", ["export.report", "export.bundle_json", "export.manifest", "export.forms",
                                   "export.payload", "export.readback"])
def test_failure_stops_the_layout(school, usb, real_forms, point):
    ws, _ = school

    def boom():
        raise OSError(errno.EIO, "Input/output error")

    faults.inject(point, boom)
    with pytest.raises((AppError, OSError)):
        export_bundle(ws, usb, plugins=real_forms)
    assert [p.name for p in usb.iterdir() if not p.name.endswith(L.PARTIAL)] == []
    assert not any(ws.paths.tmp.glob("export-*"))
    assert _no_layout_left()
    faults.clear()
    assert verify_path(export_bundle(ws, usb, plugins=real_forms).path).ok


def test_cancel_while_laying_out(school, usb, real_forms):
    ws, _ = school
    progress = Progress(lambda d, t, s: None, min_interval=0)
    faults.inject("export.manifest", progress.cancel)
    with pytest.raises(CancelledError):
        export_bundle(ws, usb, progress=progress, plugins=real_forms)
    assert list(usb.iterdir()) == []
    assert _no_layout_left()


def test_a_refused_export_ends_its_early_layout_process_at_once(school, usb, monkeypatch):
    # The layout process is started before the check (to load reportlab meanwhile); when the
    # check refuses the export, the process has been given nothing and is killed, not waited
    # for until it has loaded reportlab and noticed its closed input.
    import signal
    import sys

    from app.services.bundle.export import ExportBlockedError
    from app.services.forms import sealjob
    monkeypatch.setenv("TISHENG_FORMS_PROCESS", "1")
    started = []
    real = sealjob.WarmWorker.__init__

    def remember(self):
        real(self)
        started.append(self.proc)
    monkeypatch.setattr(sealjob.WarmWorker, "__init__", remember)
    plugins = export_mod.default_plugins()
    plugins.run_check = lambda ws: FakeReport(blocking=[FakeFinding("blocking", "还有 1 位教师未选能力点")])
    ws, _ = school
    with pytest.raises(ExportBlockedError):
        export_bundle(ws, usb, ExportOptions(), plugins=plugins)
    assert len(started) == 1 and started[0].returncode is not None and _no_layout_left()
    if sys.platform != "win32":
        assert started[0].returncode == -signal.SIGKILL
