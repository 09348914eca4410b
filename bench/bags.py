"""The schools the export and verify benchmarks share, built once per run under <tmp>/tisheng-bench/.

Cases (`python bench/make_school.py` describes the mixes):

* realistic: every teacher's documents (20 KB–5 MB) and a video (50–300 MB) for one teacher in
  ten; 300 teachers (about 7 GB), --quick 100 (about 2 GB);
* few_big: 2 GB in 64 MB files for 1,000 teachers (the old benchmark's shape), --quick 256 MB;
* many_teachers (full run only): 2,000 teachers with the realistic mix at a tenth of the sizes
  (about 15,000 files, 5 GB): the memory ceiling at the largest school.

With TISHENG_BENCH_KEEP=1 the schools and bags are kept for the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "tisheng-bench"


@dataclass(frozen=True)
class Case:
    key: str
    teachers: int
    evidence: str
    evidence_mb: int = 0
    scale: float = 1.0


def cases(quick: bool) -> list[Case]:
    if quick:
        return [Case("realistic_100t", 100, "realistic"), Case("few_big_256MB", 100, "few-big", 256)]
    return [Case("realistic_300t", 300, "realistic"), Case("few_big_2GB", 1000, "few-big", 2112),
            Case("many_teachers_2000t", 2000, "realistic", scale=0.1)]


def school(case: Case) -> Path:
    """The case's data folder, built once."""
    data = CACHE / case.key / "school"
    marker = data / "bench-ready.json"
    if marker.exists():
        return data
    shutil.rmtree(data, ignore_errors=True)
    data.parent.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from make_school import make_school
    info = make_school(data, teachers=case.teachers, evidence=case.evidence, evidence_mb=case.evidence_mb,
                       scale=case.scale)
    marker.write_text(json.dumps(info), encoding="utf-8")
    print(f"  built {case.key}: {info['evidence_files']} files, {info['evidence_bytes'] / 1e9:.1f} GB",
          flush=True)
    return data


def bag_dir(case: Case) -> Path:
    """Where the export benchmark leaves its last bag for the verify benchmark."""
    return CACHE / case.key / "bag"


def cleanup(case: Case) -> None:
    if os.environ.get("TISHENG_BENCH_KEEP") != "1":
        shutil.rmtree(CACHE / case.key, ignore_errors=True)
