"""Schools made by the app for the district's tests, and a district folder.

Five demo schools (different seeds, so different teachers, ID numbers and files) are built once
per session in two processes, then copied per test; each copy gets its own signing key. Schools
1 and 2 share one classroom video (the same bytes submitted by a teacher of each).
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from app.services.workspace import Workspace

MINISIGN = shutil.which("minisign") or "/usr/bin/minisign"
SCHOOLS = [("S001", "东风小学"), ("S002", "红旗小学"), ("S003", "向阳中学"), ("S004", "青山教学点"), ("S005", "白云小学")]
VIDEO = b"classroom video " * 40000          # ~640 KB, the same bytes in schools 1 and 2


def build_school(root: str, seed: int, code: str, name: str, video: bool, teachers: int = 40) -> str:
    """Runs in a worker process: a demo school renamed, optionally with the shared video."""
    from app.services import evidence, school
    from app.services.choices import current_choices
    from app.services.demo import create_demo
    from app.services.teachers import list_teachers
    ws = Workspace.open(root)
    try:
        create_demo(ws, teachers=teachers, seed=seed)
        school.update_school(ws, name=name, code=code)
        if video:
            t = next(t for t in list_teachers(ws) if current_choices(ws, t.id))
            code_ = current_choices(ws, t.id)[0].code
            src = Path(root).parent / f"video-{code}.mp4"
            src.write_bytes(VIDEO)
            evidence.add_evidence(ws, t.id, code_, "1", src)
            src.unlink()
    finally:
        ws.close()
    return root


@pytest.fixture(scope="session")
def school_templates(tmp_path_factory):
    base = tmp_path_factory.mktemp("district-schools")
    jobs = [(str(base / code), 100 + n, code, name, n < 2) for n, (code, name) in enumerate(SCHOOLS)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(build_school, *zip(*jobs)))
    return [Path(p) for p in done]


@pytest.fixture
def schools(school_templates, tmp_path):
    """Five opened school workspaces (private copies, each with a fresh key)."""
    opened = []
    for src in school_templates:
        dst = tmp_path / "schools" / src.name
        shutil.copytree(src, dst)
        shutil.rmtree(dst / "keys", ignore_errors=True)
        opened.append(Workspace.open(dst))
    yield opened
    for ws in opened:
        ws.close()


@pytest.fixture
def district(tmp_path):
    from app.services.district.office import init_district
    ws = Workspace.open(tmp_path / "district")
    init_district(ws, name="示例区教师发展中心", code="D210281")
    yield ws
    ws.close()


def export(ws, dest: Path, *, full: bool = False, unmask: bool = False):
    """Export a bundle: the whole thing (workbook, forms) with full=True, else the bag and the real check."""
    from app.services.bundle.export import ExportOptions, Plugins, default_plugins, export_bundle
    dest.mkdir(parents=True, exist_ok=True)
    plugins = default_plugins() if full else Plugins(run_check=default_plugins().run_check)
    return export_bundle(ws, dest, ExportOptions(allow_incomplete=True, unmask_personal=unmask), plugins=plugins)


def minisign_verify(file: Path, pub: Path) -> tuple[bool, str]:
    r = subprocess.run([MINISIGN, "-Vm", str(file), "-p", str(pub)], capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr


def small_school(root: Path, code: str, name: str, *, seed: int = 1, teachers: int = 3,
                 id_numbers: list[str] | None = None, programme: str = "national-2.0") -> Workspace:
    """A quick school (a few teachers, a few files) through the app's own services."""
    import random
    from datetime import date

    from app.services import choices, evidence, hours, school
    from app.services.demo import make_id
    from app.services.teachers import add_teacher
    rng = random.Random(seed)
    ws = Workspace.open(root)
    school.init_school(ws, name=name, code=code, environment="混合", programme_id=programme)
    files = root.parent / f"files-{code}"
    files.mkdir(parents=True, exist_ok=True)
    from app.services.programmes import Rules, load_preset
    rules = Rules(load_preset(programme))
    cats = rules.category_keys
    for i in range(teachers):
        idn = (id_numbers or [])[i] if id_numbers and i < len(id_numbers) else \
            make_id(rng, date(1980 + i, 1 + i % 12, 10 + i), i % 2 == 0)
        t = add_teacher(ws, name=f"{name[:2]}教师{'一二三四五六七八九十'[i % 10]}", id_number=idn, staff_no=f"{code}-{i + 1}", subject="语文")
        hours.add_hours(ws, t.id, category=cats[0], hours=30, on_date=date(2026, 10, 1))
        hours.add_hours(ws, t.id, category=cats[-1], hours=30, on_date=date(2026, 10, 2))
        if rules.micro is None:
            continue                               # a 1.0 programme: no micro-abilities, no evidence
        choices.set_choices(ws, t.id, ["A1", "A3", "A6"])
        f = files / f"{code}-{i}.docx"
        f.write_bytes(f"{code} {i} {seed} 学情分析方案\n".encode("utf-8") * 200)
        evidence.add_evidence(ws, t.id, "A1", "1", f)
    return ws
