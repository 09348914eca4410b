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


def test_the_layout_starts_before_the_payload_records_are_read(school, usb, real_forms, monkeypatch):
    # the layout is the longest piece of a many-teacher export: it must not wait for build_plan
    ws, _ = school
    order = []
    real_check, real_start, real_plan = real_forms.run_check, real_forms.start_forms, export_mod.build_plan
    real_forms.run_check = lambda *a, **k: order.append("check") or real_check(*a, **k)
    real_forms.start_forms = lambda *a, **k: order.append("layout") or real_start(*a, **k)
    monkeypatch.setattr(export_mod, "build_plan", lambda *a, **k: order.append("records") or real_plan(*a, **k))
    assert verify_path(export_bundle(ws, usb, ExportOptions(allow_incomplete=True), plugins=real_forms).path).ok
    assert order == ["check", "layout", "records"]


@pytest.mark.parametrize("where", ["room", "records"])
def test_a_failure_before_the_paperwork_takes_the_layout_stops_it(school, usb, real_forms, monkeypatch, where):
    # The layout starts right after the check, before the payload's records are read and the
    # target's room is checked: a refusal there ends it too, and leaves nothing behind.
    import threading
    ws, _ = school
    started = []
    real_start = real_forms.start_forms

    def start(*a, **k):
        job = real_start(*a, **k)
        started.append(job)
        return job
    real_forms.start_forms = start
    if where == "room":
        monkeypatch.setattr("shutil.disk_usage", lambda p: type("U", (), {"free": 1000})())
    else:
        def unreadable(*a, **k):
            raise AppError("学校记录读取失败。")
        monkeypatch.setattr(export_mod, "build_plan", unreadable)
    with pytest.raises(AppError):
        export_bundle(ws, usb, ExportOptions(allow_incomplete=True), plugins=real_forms)
    assert len(started) == 1                              # the layout had started
    assert _no_layout_left()
    assert not [t for t in threading.enumerate() if t.name == "tisheng-forms"]
    assert list(usb.iterdir()) == []
    assert not any(ws.paths.tmp.glob("export-*"))


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
