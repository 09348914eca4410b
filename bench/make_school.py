"""Generate a synthetic large school for benchmarks.

    python bench/make_school.py --teachers 1000 --evidence-mb 2048 --data-dir /tmp/big

Teachers, choices, hours, grades and evidence are written straight through the
models in a few transactions (fast); evidence blobs go through the real store.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.models import AbilityChoice, Assessment, Blob, EvidenceFile, EvidenceItem, HoursRecord, Teacher  # noqa: E402
from app.services.demo import POINT_SETS_MIXED, SUBJECTS, SURNAMES, GIVEN, make_id  # noqa: E402
from app.services.school import init_school  # noqa: E402
from app.services.workspace import Workspace  # noqa: E402
from sqlmodel import select  # noqa: E402


def make_school(data_dir: Path, teachers: int = 1000, evidence_mb: int = 0,
                programme: str = "national-2.0", seed: int = 7) -> dict:
    rng = random.Random(seed)
    ws = Workspace.open(data_dir)
    try:
        init_school(ws, name="基准测试学校", code="BENCH001", environment="混合", programme_id=programme)
        subjects = [s for s, _ in SUBJECTS]
        with ws.sessions() as s:
            items = {}
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
                t = Teacher(name=rng.choice(SURNAMES) + rng.choice(GIVEN), id_number=idn,
                            subject=rng.choice(subjects), staff_no=f"B{i + 1:05d}", gender="女",
                            phone=f"139{rng.randint(10000000, 99999999)}")
                s.add(t)
            s.flush()
            tids = [t.id for t in s.exec(select(Teacher))]
            for tid in tids:
                s.add(HoursRecord(teacher_id=tid, category="网络研修", hours=25, source="平台导入"))
                s.add(HoursRecord(teacher_id=tid, category="实践应用", hours=rng.choice([20, 25, 30])))
                for code in rng.choice(POINT_SETS_MIXED):
                    s.add(AbilityChoice(teacher_id=tid, point_code=code))
            s.commit()
        files = 0
        if evidence_mb:
            per_file = 64 * 1024 * 1024 if evidence_mb >= 256 else 1024 * 1024
            n_files = max(1, evidence_mb * 1024 * 1024 // per_file)
            tmp = Path(tempfile.mkdtemp(dir=ws.paths.tmp))
            with ws.sessions() as s:
                choices = s.exec(select(AbilityChoice)).all()
                for k in range(n_files):
                    src = tmp / f"video{k}.mp4"
                    block = hashlib.sha256(f"{seed}-{k}".encode()).digest() * (1024 * 1024 // 32)
                    with open(src, "wb") as fh:
                        for _ in range(per_file // len(block)):
                            fh.write(block)
                    stored = ws.store.add_file(src)
                    os.unlink(src)
                    c = choices[k % len(choices)]
                    it = items[c.point_code][k % len(items[c.point_code])]
                    if s.get(Blob, stored.sha256) is None:
                        s.add(Blob(sha256=stored.sha256, size=stored.size))
                    s.add(EvidenceFile(teacher_id=c.teacher_id, point_code=c.point_code, item_id=it.id,
                                       sha256=stored.sha256, original_name=f"课堂实录{k}.mp4", size=stored.size))
                    s.add(Assessment(teacher_id=c.teacher_id, point_code=c.point_code, item_id=it.id, grade="合格",
                                     on_date=date(2026, 11, 1)))
                    files += 1
                s.commit()
            tmp.rmdir()
        return {"data_dir": str(ws.paths.root), "teachers": teachers, "evidence_files": files}
    finally:
        ws.close()


def main() -> None:
    ap = argparse.ArgumentParser(description="生成用于基准测试的大型学校数据")
    ap.add_argument("--teachers", type=int, default=1000)
    ap.add_argument("--evidence-mb", type=int, default=0)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--programme", default="national-2.0")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tisheng-bench-"))
    print(make_school(data_dir, args.teachers, args.evidence_mb, args.programme))


if __name__ == "__main__":
    main()
