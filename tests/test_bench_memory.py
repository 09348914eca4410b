"""The benchmarks' peak memory of a command is that command's own, not the benchmark runner's:
a child counted with its parent's pages (os.wait4's ru_maxrss after fork) would make every
command run after a big in-process benchmark seem as large as the runner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def timing(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import timing
    return timing


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_a_small_child_of_a_big_runner_is_measured_small(timing):
    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"\1" * len(ballast[::4096])        # really resident
    run = timing.run_process([sys.executable, "-c", "import time; time.sleep(0.3)"])
    assert run.peak_mb < 100, run.peak_mb
    del ballast


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_a_child_that_grows_and_shrinks_is_measured_at_its_peak(timing):
    code = ("import time\nb = bytearray(200 * 1024 * 1024)\nb[::4096] = b'x' * len(b[::4096])\n"
            "del b\ntime.sleep(0.3)")
    run = timing.run_process([sys.executable, "-c", code])
    assert 190 < run.peak_mb < 300, run.peak_mb
