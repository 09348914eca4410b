"""Handing a layout process its job never keeps the exporter waiting for the process to load.

A job larger than a pipe holds (64 KB on Linux) used to block the exporter in FormsJob()
until the worker had loaded reportlab and the fonts and read it. Here the worker is held
back at its start until the test lets it go, so a FormsJob() that waits for the worker
could never return while it is held.
"""

from __future__ import annotations

import pickle
import sys
import threading

import pytest
from pypdf import PdfReader

from app.services.forms import sealjob
from app.services.forms.dto import KINDS
from app.services.forms.sealjob import FormsJob, live_workers

from .samples import SEAL, demo_set

HELD = r"""
import os, runpy, sys, time
while not os.path.exists(sys.argv[1]):      # held back until the test lets it go
    time.sleep(0.02)
sys.argv = [sys.argv[0]]
runpy.run_module("app.services.forms.worker", run_name="__main__")
"""


@pytest.fixture
def held(tmp_path, monkeypatch):
    go = tmp_path / "go"
    monkeypatch.setattr(sealjob, "worker_command", lambda: [sys.executable, "-c", HELD, str(go)])
    return go


def _start(fs, dest):
    """FormsJob(...) on a thread: (the job or None if still blocked after 60 s)."""
    made: list = []
    t = threading.Thread(target=lambda: made.append(FormsJob(fs, dest, KINDS, SEAL, process=True, parts=1)),
                         daemon=True)
    t.start()
    t.join(60)
    return made[0] if made else None


def test_the_job_is_handed_over_without_waiting_for_the_worker(tmp_path, held):
    fs = demo_set(100)
    assert len(pickle.dumps(fs)) > 70_000          # more than a pipe holds
    out = tmp_path / "out"
    out.mkdir()
    job = _start(fs, out / "forms.pdf")
    try:
        assert job is not None, "FormsJob() waited for the worker to read its job"
        assert not held.exists()
        sealing = threading.Thread(target=job.seal, args=(SEAL,), daemon=True)
        sealing.start()                             # queued behind the job, never ahead of it
        held.touch()
        sealing.join(60)
        pdf = job.wait()
        assert job.pages == len(PdfReader(str(pdf)).pages) >= 100
        assert sorted(p.name for p in out.iterdir()) == ["forms.pdf"]
    finally:
        job.close()
    assert live_workers() == 0


def test_cancelling_before_the_worker_took_its_job_ends_it_and_leaves_nothing(tmp_path, held):
    out = tmp_path / "out"
    out.mkdir()
    job = _start(demo_set(100), out / "forms.pdf")
    assert job is not None
    done = threading.Thread(target=job.cancel, daemon=True)
    done.start()
    done.join(60)                                   # the held worker would never read a "stop"
    assert not done.is_alive(), "cancel() waited for a worker that had not taken its job"
    assert live_workers() == 0
    assert list(out.iterdir()) == []
    assert not held.exists()
