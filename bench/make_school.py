"""Generate a synthetic school for benchmarks, with a realistic mix of evidence files.

    python bench/make_school.py --teachers 300 --evidence realistic --data-dir /tmp/s300
    python bench/make_school.py --teachers 1000 --evidence few-big --evidence-mb 2048

Mixes (`evidence=`):

* "realistic": every teacher × 3 points × each of the point's 2–3 required items gets one
  document of 20 KB–5 MB (log-uniform: most are a few hundred KB, a few are large slide
  decks), and one teacher in ten also hands in a classroom video of 50–300 MB. A
  300-teacher school has about 2,200 documents (≈ 2 GB) and 30 videos (≈ 5 GB).
  `scale` multiplies every size (the 2,000-teacher memory case uses 0.1).
* "few-big": `evidence_mb` in 64 MB files (the old benchmark's shape: 33 files for 2 GB).
* None: records only (teachers, choices, hours), no evidence.

Teachers, choices, hours, grades and evidence rows are written straight through the models
in a few transactions; the files are written straight into the store's layout
(store/ab/cd/<sha256>) with distinct contents, which is the bench's data, not the store's
code under test.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.models import AbilityChoice, Assessment, Blob, EvidenceFile, EvidenceItem, HoursRecord, Teacher  # noqa: E402
from app.services.demo import GIVEN, POINT_SETS_MIXED, SUBJECTS, SURNAMES, make_id  # noqa: E402
from app.services.school import init_school  # noqa: E402
from app.services.workspace import Workspace  # noqa: E402
from sqlmodel import select  # noqa: E402

DOC_MIN, DOC_MAX = 20 * 1024, 5 * 1024 ** 2
VIDEO_MIN, VIDEO_MAX = 50 * 1024 ** 2, 300 * 1024 ** 2
BIG_FILE = 64 * 1024 ** 2
EXT = {"文档": ".docx", "演示文稿": ".pptx", "视频": ".mp4", "图片": ".jpg", "表格": ".xlsx"}


class Filler:
    """Writes files of a given size with distinct contents into the store, quickly."""

    def __init__(self, store_root: Path, seed: int) -> None:
        self.root = store_root
        self.block = random.Random(seed).randbytes(1024 * 1024)
        self.n = 0
        (self.root / "incoming").mkdir(parents=True, exist_ok=True)

    def write(self, size: int) -> tuple[str, int]:
        self.n += 1
        head = f"tisheng-bench file {self.n}\n".encode().ljust(64, b".")
        tmp = self.root / "incoming" / f"bench-{self.n}.part"
        h = hashlib.sha256()
        with open(tmp, "wb") as fh:
            left = size
            first = head[:left]
            fh.write(first)
            h.update(first)
            left -= len(first)
            while left > 0:
                chunk = self.block if left >= len(self.block) else self.block[:left]
                fh.write(chunk)
                h.update(chunk)
                left -= len(chunk)
        sha = h.hexdigest()
        final = self.root / sha[:2] / sha[2:4] / sha
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        return sha, size


def _log_uniform(rng: random.Random, lo: int, hi: int) -> int:
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def make_school(data_dir: Path, teachers: int = 1000, evidence_mb: int = 0,
                programme: str = "national-2.0", seed: int = 7, evidence: str | None = None,
                scale: float = 1.0) -> dict:
    """Build the school in data_dir; returns what was made (teachers, files, bytes)."""
    if evidence is None and evidence_mb:
        evidence = "few-big"
    rng = random.Random(seed)
    ws = Workspace.open(data_dir)
    try:
        init_school(ws, name="基准测试学校", code="BENCH001", environment="混合", programme_id=programme)
        subjects = [s for s, _ in SUBJECTS]
        with ws.sessions() as s:
            items: dict[str, list[EvidenceItem]] = {}
            for e in s.exec(select(EvidenceItem)):
                items.setdefault(e.point_code, []).append(e)
            seen = set()
            for i in range(teachers):
                while True:
                    idn = make_id(rng, date(rng.randint(1968, 1999), rng.randint(1, 12), rng.randint(1, 28)),
                                  rng.random() < 0.3)
                    if idn not in seen:
                        seen.add(idn)
                        break
                s.add(Teacher(name=rng.choice(SURNAMES) + rng.choice(GIVEN), id_number=idn,
                              subject=rng.choice(subjects), staff_no=f"B{i + 1:05d}", gender="女",
                              phone=f"139{rng.randint(10000000, 99999999)}"))
            s.flush()
            tids = [t.id for t in s.exec(select(Teacher).order_by(Teacher.id))]
            points: dict[int, list[str]] = {}
            for tid in tids:
                s.add(HoursRecord(teacher_id=tid, category="网络研修", hours=25, source="平台导入"))
                s.add(HoursRecord(teacher_id=tid, category="实践应用", hours=rng.choice([20, 25, 30])))
                points[tid] = rng.choice(POINT_SETS_MIXED)
                for code in points[tid]:
                    s.add(AbilityChoice(teacher_id=tid, point_code=code))
            s.commit()
            files, total = 0, 0
            if evidence == "realistic":
                files, total = _realistic(ws, s, rng, tids, points, items, scale, seed)
            elif evidence == "few-big":
                files, total = _few_big(ws, s, tids, points, items, evidence_mb, seed)
            elif evidence is not None:
                raise ValueError(f"unknown evidence mix {evidence!r}")
            s.commit()
        return {"data_dir": str(ws.paths.root), "teachers": teachers, "evidence": evidence,
                "evidence_files": files, "evidence_bytes": total}
    finally:
        ws.close()


def _add(s, fill: Filler, tid: int, code: str, item: EvidenceItem, size: int, name: str,
         blobs: set[str]) -> int:
    sha, n = fill.write(size)
    if sha not in blobs:
        blobs.add(sha)
        s.add(Blob(sha256=sha, size=n))
    s.add(EvidenceFile(teacher_id=tid, point_code=code, item_id=item.id, sha256=sha, original_name=name, size=n))
    return n


def _realistic(ws, s, rng, tids, points, items, scale: float, seed: int) -> tuple[int, int]:
    fill = Filler(ws.store.root, seed)
    blobs: set[str] = set()
    files = total = 0
    for k, tid in enumerate(tids):
        video_done = k % 10 != 0               # one teacher in ten hands in a video
        for code in points[tid]:
            for it in items.get(code, []):
                is_video = "视频" in it.kinds.split(",")
                if is_video and not video_done:
                    size = int(rng.uniform(VIDEO_MIN, VIDEO_MAX) * scale)
                    video_done = True
                    name = f"课堂实录_{code}_{k}.mp4"
                else:
                    size = int(_log_uniform(rng, DOC_MIN, DOC_MAX) * scale)
                    kind = it.kinds.split(",")[0] if not is_video else "文档"
                    name = f"{it.title}_{code}_{k}{EXT.get(kind, '.docx')}"
                total += _add(s, fill, tid, code, it, max(size, 64), name, blobs)
                files += 1
                s.add(Assessment(teacher_id=tid, point_code=code, item_id=it.id, grade="合格",
                                 reviewer="欧阳振华", on_date=date(2026, 11, 1)))
        if not video_done:                     # none of the teacher's points asks for a video
            code = points[tid][0]
            it = items[code][0]
            total += _add(s, fill, tid, code, it, int(rng.uniform(VIDEO_MIN, VIDEO_MAX) * scale),
                          f"课堂实录_{code}_{k}.mp4", blobs)
            files += 1
        if k % 200 == 199:
            s.flush()
    return files, total


def _few_big(ws, s, tids, points, items, evidence_mb: int, seed: int) -> tuple[int, int]:
    fill = Filler(ws.store.root, seed)
    blobs: set[str] = set()
    n_files = max(1, evidence_mb * 1024 * 1024 // BIG_FILE)
    graded = set()
    total = 0
    for k in range(n_files):
        tid = tids[k % len(tids)]
        code = points[tid][k // len(tids) % 3]
        it = items[code][0]
        total += _add(s, fill, tid, code, it, BIG_FILE, f"课堂实录{k}.mp4", blobs)
        if (tid, it.id) not in graded:
            graded.add((tid, it.id))
            s.add(Assessment(teacher_id=tid, point_code=code, item_id=it.id, grade="合格",
                             on_date=date(2026, 11, 1)))
    return n_files, total


def main() -> None:
    ap = argparse.ArgumentParser(description="生成用于基准测试的学校数据")
    ap.add_argument("--teachers", type=int, default=300)
    ap.add_argument("--evidence", choices=["realistic", "few-big", "none"], default="realistic")
    ap.add_argument("--evidence-mb", type=int, default=2048, help="few-big：证据总量（MB）")
    ap.add_argument("--scale", type=float, default=1.0, help="realistic：所有文件大小乘以这个倍数")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--programme", default="national-2.0")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tisheng-bench-"))
    evidence = None if args.evidence == "none" else args.evidence
    print(make_school(data_dir, args.teachers, args.evidence_mb, args.programme, evidence=evidence,
                      scale=args.scale))


if __name__ == "__main__":
    main()
