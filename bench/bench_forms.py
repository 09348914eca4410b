"""教师个人签字确认表 for a 1,000-teacher school against stock reportlab laying out the same pages.

* forms_personal_1000t: `tisheng --data-dir D forms --kind 个人 OUT.pdf` in a fresh process (start-up,
  the database read, the compliance engine, every teacher's tables laid out — in two layout
  processes —, the embedded subset font, page numbers) against bench/baselines/forms_reportlab.py
  in a fresh process: stock reportlab (nothing of the project imported or patched in), the same
  TrueType font files, the same number of pages, each page the same text as ours (from
  `pdftotext -layout`) as a title and one gridded table (longer cells as wrapping paragraphs).
* …_in_process: make_forms() timed inside a process, for information.
Target ≤ 2×. The file size per teacher is printed too.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))


REPEATS = 2


def build_school(data_dir: Path, teachers: int) -> None:
    """The synthetic school of bench/make_school.py, plus what a sign-off form prints:
    evidence files for every required item and a grade for each."""
    from sqlmodel import select

    from app.models import AbilityChoice, Assessment, Blob, EvidenceFile, EvidenceItem, StudyGroup, Teacher
    from app.services.workspace import Workspace
    from make_school import make_school

    make_school(data_dir, teachers=teachers)
    rng = random.Random(11)
    with Workspace.open(data_dir) as ws, ws.sessions() as s:
        stored = ws.store.add_bytes(b"bench evidence\n" * 64)
        s.add(Blob(sha256=stored.sha256, size=stored.size))
        items: dict[str, list[EvidenceItem]] = {}
        for e in s.exec(select(EvidenceItem)):
            items.setdefault(e.point_code, []).append(e)
        groups = [StudyGroup(name=f"{sub}研修组", subject=sub) for sub in ("语文", "数学", "英语", "综合")]
        s.add_all(groups)
        s.flush()
        names = {t.id: t for t in s.exec(select(Teacher))}
        for t in names.values():
            t.group_id = rng.choice(groups).id
            t.title, t.stage = "一级教师", "小学"
            s.add(t)
        for c in s.exec(select(AbilityChoice)):
            t = names[c.teacher_id]
            for it in items.get(c.point_code, []):
                for k in range(1 + (it.seq == 1)):
                    s.add(EvidenceFile(teacher_id=t.id, point_code=c.point_code, item_id=it.id, sha256=stored.sha256,
                                       original_name=f"{t.name}_{c.point_code}_{it.title}{'_补充' * k}.docx",
                                       size=stored.size))
                s.add(Assessment(teacher_id=t.id, point_code=c.point_code, item_id=it.id,
                                 grade=rng.choice(["合格", "合格", "优秀"]), reviewer="欧阳振华",
                                 on_date=date(2026, 11, 18)))
        s.commit()


def page_rows(pdf: Path) -> list[list[list[str]]]:
    """Each page of ours as rows of cells: `pdftotext -layout` lines split where two or more
    spaces separate the columns."""
    import re
    import subprocess
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    pages = out.stdout.decode("utf-8").split("\f")[:-1]
    return [[re.split(r"\s{2,}", ln.strip()) for ln in page.splitlines() if ln.strip()] for page in pages]


def run(quick: bool = False) -> list:
    import json
    import os

    from timing import Result, project_env, run_process, tisheng

    from app.services.forms.api import make_forms
    from app.services.forms.fonts import font_path
    from app.services.workspace import Workspace

    teachers = 100 if quick else 1000
    rounds = int(os.environ.get("TISHENG_BENCH_REPEAT", 0)) or REPEATS
    tmp = Path(tempfile.mkdtemp(prefix="tisheng-bench-forms-"))
    try:
        data = tmp / "data"
        t0 = time.perf_counter()
        build_school(data, teachers)
        print(f"  forms: built a {teachers}-teacher school in {time.perf_counter() - t0:.1f}s", flush=True)
        env = project_env()
        ours_pdf = tmp / "个人.pdf"
        base_pdf = tmp / "baseline.pdf"
        pages_json = tmp / "pages.json"
        run_process(tisheng("--data-dir", str(data), "forms", "--kind", "个人", str(ours_pdf), "--json"), env=env)
        pages_json.write_text(json.dumps(page_rows(ours_pdf), ensure_ascii=False), encoding="utf-8")
        base_cmd = [sys.executable, str(Path(__file__).resolve().parent / "baselines" / "forms_reportlab.py"),
                    str(pages_json), str(font_path(False)), str(font_path(True)), str(base_pdf)]
        ours = base = inproc = float("inf")
        for _ in range(rounds):              # best of n, alternating: the machine is shared
            r = run_process(tisheng("--data-dir", str(data), "forms", "--kind", "个人", str(ours_pdf), "--json"),
                            env=env)
            ours = min(ours, r.seconds)
            base = min(base, run_process(base_cmd, env=env).seconds)
        for _ in range(rounds):
            with Workspace.open(data) as ws:
                t0 = time.perf_counter()
                result = make_forms(ws, tmp / "inproc.pdf", kind="个人")
                inproc = min(inproc, time.perf_counter() - t0)
        from pypdf import PdfReader
        ours_pages, base_pages = len(PdfReader(str(ours_pdf)).pages), len(PdfReader(str(base_pdf)).pages)
        if ours_pages != base_pages:
            raise RuntimeError(f"the baseline has {base_pages} pages, ours {ours_pages}")
        size = ours_pdf.stat().st_size
        print(f"  forms: {teachers} teachers → {result.pages} pages, {size / 1e6:.1f} MB "
              f"({size / teachers / 1024:.1f} KB per teacher); baseline {base_pages} pages, "
              f"{base_pdf.stat().st_size / 1e6:.1f} MB", flush=True)
        return [Result(f"forms_personal_{teachers}t", ours, base, 2.0),
                Result(f"forms_personal_{teachers}t_in_process", inproc, base)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for r in run("--quick" in sys.argv):
        print(r.line())
