"""`python bench/run.py --quick` runs every benchmark to the end and prints each figure the
README's table shows: a benchmark broken by a change to the code it measures fails here, not
months later when someone wants the figures (no figure is judged: timings belong to bench/)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^(\S+) ratio=(\d+\.\d+|inf) ours=\S+ baseline=\S+( target=≤\S+ (within|OVER))?$")
EXPECTED = ("cold_start_window_", "cold_start_cli_version", "cold_start_cli_help", "import_roster_",
            "reimport_roster_", "forms_personal_", "export_realistic_", "export_few_big_", "verify_realistic_",
            "verify_few_big_", "ui_filter_keystroke_", "ui_window_open_", "check_", "district_ingest_",
            "district_ingest_peak_memory", "district_dashboard_")


def test_every_benchmark_runs_and_prints_its_figures(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path), TISHENG_BENCH_REPEAT="1", QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=str(ROOT))
    env.pop("TISHENG_BENCH_KEEP", None)
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--markdown",
                          str(tmp_path / "table.md")], env=env, cwd=ROOT, capture_output=True, text=True,
                         encoding="utf-8", timeout=1500)
    assert out.returncode == 0, out.stderr[-3000:]
    rows = [m.group(1) for m in map(LINE.match, out.stdout.splitlines()) if m]
    for prefix in EXPECTED:
        assert any(r.startswith(prefix) for r in rows), f"no {prefix}… figure in:\n{out.stdout[-3000:]}"
    assert any(r.endswith("peak_memory") and r.startswith("export_") for r in rows)
    assert any(r.endswith("peak_memory") and r.startswith("verify_") for r in rows)
    table = (tmp_path / "table.md").read_text(encoding="utf-8")
    assert table.startswith("Machine: ") and all(f"`{r}`" in table for r in rows)
    assert not (tmp_path / "tisheng-bench").exists()          # the data sets are cleaned up
