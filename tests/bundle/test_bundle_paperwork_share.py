"""The real paperwork reads the school once: the compliance check, the summary workbook and the
forms' data share one snapshot; a layout process started early never outlives a failed export."""

from __future__ import annotations

import errno

import pytest

from app.services import faults
from app.services import snapshot as snapshot_mod
from app.services.bundle import export as export_mod
from app.services.bundle import layout as L
from app.services.bundle.export import ExportOptions, export_bundle
from app.services.bundle.verify import verify_path
from app.services.forms import data as forms_data
from app.services.forms.sealjob import live_workers


@pytest.fixture(autouse=True)
def _no_faults():
    faults.clear()
    yield
    faults.clear()


def test_one_snapshot_for_check_workbook_and_forms(school, usb, monkeypatch):
    ws, _ = school
    loads = []
    real = snapshot_mod.load
    monkeypatch.setattr(snapshot_mod, "load", lambda *a, **k: loads.append(1) or real(*a, **k))
    monkeypatch.setattr(forms_data, "load", lambda *a, **k: loads.append(1) or real(*a, **k))
    result = export_bundle(ws, usb, ExportOptions(allow_incomplete=True))
    assert len(loads) == 1                                   # was 3: check, workbook, forms
    assert all(result.parts.values()) and result.parts[L.FORMS_PDF]
    assert verify_path(result.path).ok
    assert live_workers() == 0


def test_a_replaced_check_is_still_the_one_used(school, usb):
    from .conftest import FakeReport
    ws, _ = school
    plugins = export_mod.default_plugins()
    plugins.run_check = lambda ws: FakeReport()
    result = export_bundle(ws, usb, ExportOptions(allow_incomplete=True), plugins=plugins)
    assert result.warnings == 1 and result.blocking == 0


@pytest.mark.parametrize("point", ["export.start", "export.preflight", "export.payload"])
def test_the_early_layout_process_ends_with_a_failed_export(school, usb, point):
    ws, _ = school

    def boom():
        raise OSError(errno.EIO, "Input/output error")

    faults.inject(point, boom)
    with pytest.raises(Exception):
        export_bundle(ws, usb, ExportOptions(allow_incomplete=True))
    assert live_workers() == 0
    assert not any(p for p in usb.iterdir() if not p.name.endswith(L.PARTIAL))
