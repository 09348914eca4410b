"""`verify` of an exported ≥ 2 GB bag against `sha256sum -c manifest-sha256.txt` in the bag.

Both start with the bag dropped from the page cache. Ours (run in a child process,
so its peak memory is measured too) also checks the tag manifest, the exact file
set, bag-info.txt, bundle.json and the minisign signature; sha256sum only hashes
the payload.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_export import CACHE, drop_cache, run_child_rss, synthetic_school

EXPORT = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from app.services.workspace import Workspace
from app.services.bundle.export import ExportOptions, Plugins, default_plugins, export_bundle
ws = Workspace.open(sys.argv[2])
r = export_bundle(ws, sys.argv[3], ExportOptions(allow_incomplete=True),
                  plugins=Plugins(run_check=default_plugins().run_check))
print(json.dumps({"path": str(r.path), "bytes": r.payload_bytes, "files": r.payload_files}))
"""

VERIFY = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from app.services.bundle.verify import verify_path
t0 = time.perf_counter()
r = verify_path(sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t0, "ok": r.ok, "errors": r.errors}))
"""


def run(quick: bool):
    data = synthetic_school(quick)
    work = Path(tempfile.mkdtemp(prefix="tisheng-bench-verify-", dir=CACHE))
    try:
        exported, _rss = run_child_rss(EXPORT, str(data), str(work))
        bag = Path(exported["path"])
        drop_cache(bag)
        t0 = time.perf_counter()
        subprocess.run(["sha256sum", "-c", "--quiet", "manifest-sha256.txt"], cwd=bag, check=True)
        base = time.perf_counter() - t0
        drop_cache(bag)
        result, rss_mb = run_child_rss(VERIFY, str(bag))
        if not result["ok"]:
            raise RuntimeError(f"verify failed on a fresh bag: {result['errors']}")
        gb = exported["bytes"] / 1024 ** 3
        return [(f"verify_{gb:.1f}GB_{exported['files']}files", result["seconds"], base),
                ("verify_peak_memory_MB_vs_300MB", rss_mb, 300.0)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if os.environ.get("TISHENG_BENCH_KEEP") != "1":
            shutil.rmtree(CACHE, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for label, ours, base in run("--quick" in sys.argv):
        print(f"{label} ratio={ours / base:.2f} ours={ours:.4f}s baseline={base:.4f}s")
