"""District intake of 30 bundles (≥ 3 GB in all) against `openssl dgst -sha256` over the same payloads.

Setup (cached under <tmp>/tisheng-bench/district-…, reused with TISHENG_BENCH_KEEP=1): 30 synthetic
schools (bench/make_school.py's realistic mix at 0.12 of its sizes: 40 teachers, ~270 documents of
2 KB–600 KB and four classroom videos of 6–36 MB each, ≈ 120 MB a school, different contents; the
setup refuses to go on under 3 GB in all), each exports its bundle onto one "stick" folder; a
district folder registers their 30 fingerprints.

* `district_ingest`: `tisheng --data-dir D district ingest <stick>` as a user runs it, a fresh
  process (start-up, discovery, exact file sets, every payload hashed in two workers, signatures,
  re-reading bundle.json, the re-check of every school with the district's programme, recording,
  versions), its peak memory that of the whole process tree, against one `openssl dgst -sha256`
  command per bundle over all its payload files. Both start with the stick dropped from the page
  cache (as a stick or a disk just plugged in). Target: ≤ 1.3×, peak RSS < 300 MB.
  `…_in_process` times ingest() inside a process (for information). `district_ingest_warm_cache`
  repeats the whole command with the files already in memory on both sides, where the CPU decides
  (reported, not a target).
* `district_dashboard_60_units`: the 全县总览 page of a district with 60 units (the 30 ingested,
  and 30 more rows cloned from them under new codes, since only the database is read), from
  creating the window until the county table shows its rows, against the 1 s target.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bags import CACHE
from timing import ROOT, Result, drop_cache, project_env, run_process, tisheng


def run_child_rss(code: str, *args: str) -> tuple[dict, float]:
    """Run `code` in a fresh Python with this checkout first on its path; its JSON result (the last
    line of its output) and the peak memory of its process tree in MB."""
    r = run_process([sys.executable, "-c", code, str(ROOT), *args], env=project_env())
    return json.loads(r.stdout.strip().splitlines()[-1]), r.peak_mb

SCHOOLS, TEACHERS, SCALE = 30, 40, 0.12
MIN_GB = 3.0

INGEST = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from app.services.workspace import Workspace
from app.services.district.intake import ingest
ws = Workspace.open(sys.argv[2])
t0 = time.perf_counter()
s = ingest(ws, [sys.argv[3]])
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "bytes": s.bytes_checked, "counts": s.to_dict()["counts"],
                  "refused": [o.message for o in s.outcomes if o.outcome != "接收"][:3]}))
"""

DASHBOARD = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from app.services.workspace import Workspace
from app.ui.app import make_application
from app.ui import jobs
app = make_application()
from app.ui.events import AppEvents
from app.ui.settings import Settings
from app.ui.district.district_window import DistrictWindow
from app.ui.facades import Facades
ws = Workspace.open(sys.argv[2])
t0 = time.perf_counter()
w = DistrictWindow(Facades(ws), AppEvents(), Settings())
w.show()
page = w.go_to("全县总览")
while page.table.model.rowCount() == 0 and time.perf_counter() - t0 < 30:
    app.processEvents()
    jobs.wait_idle(5)
app.processEvents()
seconds = time.perf_counter() - t0
units = sum(1 for r in page.table.model.rows() if not r.parent)
jobs.wait_idle()
w.close_for_switch()
print(json.dumps({"seconds": seconds, "units": units}))
"""


def _setup(quick: bool) -> tuple[Path, Path, Path]:
    n, scale = (6, 0.03) if quick else (SCHOOLS, SCALE)
    base = CACHE / f"district-{n}x{TEACHERS}t-{scale}"
    marker = base / "bench-ready.json"
    if marker.exists():
        return base / "stick", base / "district", base
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    from make_school import make_school

    from app.services import keys, school
    from app.services.bundle.export import ExportOptions, Plugins, default_plugins, export_bundle
    from app.services.district.office import init_district
    from app.services.district.register import add_key
    from app.services.workspace import Workspace
    stick = base / "stick"
    stick.mkdir()
    total = 0
    with Workspace.open(base / "district") as district:
        init_district(district, name="基准测试区", code="BENCHD")
        for i in range(n):
            data = base / "schools" / f"s{i:02d}"
            total += make_school(data, teachers=TEACHERS, evidence="realistic", scale=scale,
                                 seed=1000 + i)["evidence_bytes"]
            with Workspace.open(data) as ws:
                school.update_school(ws, name=f"基准学校{i:02d}", code=f"B{i:03d}")
                export_bundle(ws, stick, ExportOptions(allow_incomplete=True),
                              plugins=Plugins(run_check=default_plugins().run_check))
                add_key(district, f"B{i:03d}", fingerprint=keys.school_key(ws).fingerprint)
            shutil.rmtree(data / "store")                     # the stick holds the evidence now
    if not quick and total < MIN_GB * 1024 ** 3:
        raise RuntimeError(f"the district data set is {total / 1024 ** 3:.2f} GB, under {MIN_GB} GB")
    shutil.copytree(base / "district", base / "district-empty")
    marker.write_text(json.dumps({"schools": n, "scale": scale, "bytes": total}), encoding="utf-8")
    return stick, base / "district", base


def _payloads(bag: Path) -> list[str]:
    out = []
    for line in (bag / "manifest-sha256.txt").read_text("utf-8").splitlines():
        rel = line.split("  ", 1)[1]
        out.append(str(bag / rel))
    return out


def _baseline(stick: Path) -> float:
    bags = sorted(p for p in stick.iterdir() if p.is_dir())
    lists = [_payloads(b) for b in bags]
    t0 = time.perf_counter()
    for files in lists:
        subprocess.run(["openssl", "dgst", "-sha256", *files], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _sixty_units(district: Path, work: Path) -> Path:
    """A copy of the ingested district with 30 more units cloned from the 30 real ones."""
    sys.path.insert(0, str(ROOT))
    from sqlmodel import select

    from app.models.district import DistrictUnit, ReceivedBundle
    from app.services.workspace import Workspace
    target = work / "district-60"
    shutil.copytree(district, target)
    with Workspace.open(target) as ws, ws.sessions() as s:
        for b in list(s.exec(select(ReceivedBundle))):
            code = "C" + b.unit_code[1:]
            s.add(DistrictUnit(code=code, name=b.school_name.replace("基准学校", "克隆学校")))
            clone = ReceivedBundle(**{k: v for k, v in b.model_dump().items() if k != "id"})
            clone.unit_code, clone.seal_code = code, "Z" + b.seal_code[1:]      # never a real code
            clone.seal_digest = "z" + b.seal_digest[1:]
            s.add(clone)
        s.commit()
    return target


def _ingest_command(district: Path, stick: Path) -> tuple[dict, float, float]:
    """`tisheng district ingest` as a user runs it: its JSON summary, wall time and peak tree RSS."""
    r = run_process(tisheng("--data-dir", str(district), "district", "ingest", str(stick), "--json"),
                    env=project_env())
    summary = json.loads(r.stdout)
    refused = [o["message"] for o in summary["outcomes"] if o["outcome"] != "接收"]
    if refused:
        raise RuntimeError(f"bundles refused in the benchmark: {refused[:3]}")
    return summary, r.seconds, r.peak_mb


def run(quick: bool):
    stick, _district, base = _setup(quick)
    work = Path(tempfile.mkdtemp(prefix="tisheng-bench-district-", dir=CACHE))
    try:
        def fresh(name: str) -> Path:
            target = work / name
            shutil.copytree(base / "district-empty", target)
            return target

        drop_cache(stick)
        base_s = _baseline(stick)
        district = fresh("district")
        drop_cache(stick)
        summary, seconds, rss_mb = _ingest_command(district, stick)
        drop_cache(stick)
        inproc, _rss = run_child_rss(INGEST, str(fresh("district-inproc")), str(stick))
        gb = inproc["bytes"] / 1024 ** 3
        n = len(summary["outcomes"])
        dash, _rss = run_child_rss(DASHBOARD, str(_sixty_units(district, work)))
        # The same again with the stick in the page cache (both sides): CPU instead of the disk decides.
        warm_base = _baseline(stick)
        _summary, warm_s, _rss = _ingest_command(fresh("district-warm"), stick)
        return [Result(f"district_ingest_{n}bundles_{gb:.1f}GB", seconds, base_s, 1.3),
                Result(f"district_ingest_{n}bundles_{gb:.1f}GB_in_process", inproc["seconds"], base_s),
                Result("district_ingest_peak_memory", rss_mb, 300.0, 1.0, "MB"),
                Result(f"district_dashboard_{dash['units']}_units_vs_1s", dash["seconds"], 1.0, 1.0),
                Result("district_ingest_warm_cache", warm_s, warm_base)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if os.environ.get("TISHENG_BENCH_KEEP") != "1":
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for row in run("--quick" in sys.argv):
        print(row.line())
