"""教师个人签字确认表 for a 1,000-teacher school against a bare reportlab document.

`run(quick)` returns [(name, ours_seconds, baseline_seconds)]; target: ours ≤ 2× baseline.

Ours: the whole `make_forms(ws, dest, kind="个人")`: reading the database (Snapshot,
compliance engine, evidence file names), building the tables, laying out and
writing the PDF with the embedded, subset font, the seal footer and QR code.
Baseline, in the same run: a plain reportlab SimpleDocTemplate with the same
number of pages, each a few paragraphs holding the same text in the same font
(no tables, no database). Both run in the same process after the forms module
has set reportlab up (fonts registered, the same line breaking and number
formatting), each timed best of two. The file size per teacher is printed too.
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


def baseline(dest: Path, texts: list[list[str]]) -> None:
    """One plain document: for every page of ours, a page of paragraphs with that text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    from app.services.forms.fonts import REGULAR, register_fonts
    register_fonts()
    style = ParagraphStyle("b", fontName=REGULAR, fontSize=9.5, leading=12.5, wordWrap="CJK")
    story = []
    for page in texts:
        story += [Paragraph(line, style) for line in page]
        story.append(PageBreak())
    SimpleDocTemplate(str(dest), pagesize=A4, initialFontName=REGULAR).build(story)


def _page_texts(pdf: Path) -> list[list[str]]:
    """The text of each page of ours (pdftotext), cut into ~30-character paragraphs."""
    import subprocess
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    pages = out.stdout.decode("utf-8").split("\f")[:-1]
    texts = []
    for page in pages:
        chunks, cur = [], ""
        for ln in (x.strip() for x in page.splitlines()):
            cur += ln
            if len(cur) >= 30:
                chunks.append(cur)
                cur = ""
        texts.append(chunks + ([cur] if cur else []))
    return texts


def run(quick: bool = False) -> list[tuple[str, float, float]]:
    from xml.sax.saxutils import escape

    from app.services.forms.api import make_forms
    from app.services.forms.fonts import register_fonts
    from app.services.seal import SealInfo
    from app.services.workspace import Workspace

    teachers = 100 if quick else 1000
    tmp = Path(tempfile.mkdtemp(prefix="tisheng-bench-forms-"))
    try:
        data = tmp / "data"
        t0 = time.perf_counter()
        build_school(data, teachers)
        print(f"  forms: built a {teachers}-teacher school in {time.perf_counter() - t0:.1f}s", flush=True)
        register_fonts()                      # once per process, for both sides
        seal = SealInfo("3F2A-91C0-5D7E-AB12-0C44-9E8F-7711-C2D3", "3f2a91c0" * 8,
                        "9A1B-22C3-D4E5-F607-1829-3A4B-5C6D-7E8F", "BENCH001", "BENCH001_20261201-093000")
        ours = float("inf")
        for _ in range(REPEATS):              # best of n: the machine is shared
            with Workspace.open(data) as ws:
                ours_pdf = tmp / "个人.pdf"
                t0 = time.perf_counter()
                result = make_forms(ws, ours_pdf, kind="个人", seal=seal)
                ours = min(ours, time.perf_counter() - t0)
        texts = [[escape(x) for x in page] for page in _page_texts(ours_pdf)]
        base_pdf = tmp / "baseline.pdf"
        base = float("inf")
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            baseline(base_pdf, texts)
            base = min(base, time.perf_counter() - t0)
        from pypdf import PdfReader
        base_pages = len(PdfReader(str(base_pdf)).pages)
        assert base_pages == result.pages, (base_pages, result.pages)
        size = ours_pdf.stat().st_size
        print(f"  forms: {teachers} teachers → {result.pages} pages, {size / 1e6:.1f} MB "
              f"({size / teachers / 1024:.1f} KB per teacher); baseline {base_pages} pages, "
              f"{base_pdf.stat().st_size / 1e6:.1f} MB", flush=True)
        return [(f"forms_personal_{teachers}", ours, base)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for name, ours, base in run("--quick" in sys.argv):
        print(f"{name} ratio={ours / base:.2f} ours={ours:.2f}s baseline={base:.2f}s")
