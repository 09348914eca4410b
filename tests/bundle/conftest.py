"""A demo school (built once per session, copied per test) with hostile evidence names,
fake plug-ins for the parts other modules provide, and helpers to run bagit/minisign."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import AbilityChoice, Blob, EvidenceFile, EvidenceItem, HoursRecord, Teacher
from app.services.bundle.export import Plugins
from app.services.workspace import Workspace

MINISIGN = shutil.which("minisign") or "/usr/bin/minisign"

# (original name as the teacher's PC had it, content)
HOSTILE_NAMES = [
    "CON.docx", "nul.txt", "aux.tar.gz", "LPT¹.jpg", "COM1",
    "作业:第1次?.docx", "a<b>.jpg", "报告|终稿.pdf", "结尾点.", "结尾空格 ",
    "100%完成.docx", "换行\n名字.txt", "回车\r名字.txt", "制表\t符.txt",
    "照片.JPG", "照片.jpg",
    unicodedata.normalize("NFD", "école.pdf"), "école.pdf",
    "很长的文件名" * 15 + ".mp4",
    "..", "~$临时.docx", "Thumbs.db",
]


@dataclass
class SchoolInfo:
    id_numbers: list[str]
    phones: list[str]
    hostile_teacher: int
    hostile_names: list[str] = field(default_factory=lambda: list(HOSTILE_NAMES))


def _add_hostile(ws) -> SchoolInfo:
    with ws.sessions() as s:
        choice = s.exec(select(AbilityChoice).order_by(AbilityChoice.id)).first()
        item = s.exec(select(EvidenceItem).where(EvidenceItem.point_code == choice.point_code)).first()
        for n, name in enumerate(HOSTILE_NAMES):
            stored = ws.store.add_bytes(f"hostile {n} {name!r}\n".encode("utf-8") * 10)
            if s.get(Blob, stored.sha256) is None:
                s.add(Blob(sha256=stored.sha256, size=stored.size))
            s.add(EvidenceFile(teacher_id=choice.teacher_id, point_code=choice.point_code, item_id=item.id,
                               sha256=stored.sha256, original_name=name, size=stored.size))
        teachers = list(s.exec(select(Teacher)))
        # a full ID number inside free text must be masked too
        t = teachers[0]
        s.add(HoursRecord(teacher_id=t.id, category="网络研修", hours=1,
                          note=f"核对身份证号 {t.id_number} 与电话 {t.phone}"))
        s.commit()
        return SchoolInfo([t.id_number for t in teachers if t.id_number],
                          [t.phone for t in teachers if t.phone], choice.teacher_id)


@pytest.fixture(scope="session")
def school_template(tmp_path_factory):
    from app.services.demo import create_demo
    root = tmp_path_factory.mktemp("bundle-school")
    ws = Workspace.open(root / "data")
    try:
        create_demo(ws, teachers=40)
        info = _add_hostile(ws)
        from app.services import keys
        keys.school_key(ws)
    finally:
        ws.close()
    return root / "data", info


@pytest.fixture
def school(school_template, tmp_path):
    """(workspace, SchoolInfo): a private copy of the demo school for this test."""
    src, info = school_template
    dst = tmp_path / "data"
    shutil.copytree(src, dst)
    ws = Workspace.open(dst)
    yield ws, info
    ws.close()


@pytest.fixture
def usb(tmp_path):
    p = tmp_path / "usb"
    p.mkdir()
    return p


class FakeReport:
    def __init__(self, blocking=()):
        self.blocking = list(blocking)
        self.findings = list(blocking) + [FakeFinding("warning", "提醒：示例")]
        self.summary = {"school": "示例", "active": 38, "meeting_all": 30}

    def to_dict(self):
        return {"ok": not self.blocking, "blocking": len(self.blocking),
                "warnings": len(self.findings) - len(self.blocking),
                "summary": self.summary, "findings": [f.to_dict() for f in self.findings]}


@dataclass
class FakeFinding:
    severity: str
    message: str

    def to_dict(self):
        return {"severity": self.severity, "message": self.message}


@dataclass
class Calls:
    report: list = field(default_factory=list)
    forms: list = field(default_factory=list)


def fake_write_report(calls: Calls):
    def write_report(ws, dest, *, unmask=False, progress=None):
        from openpyxl import Workbook

        from app.services.validation import mask_id_number
        calls.report.append({"unmask": unmask})
        wb = Workbook()
        sh = wb.active
        with ws.sessions() as s:
            for t in s.exec(select(Teacher)):
                sh.append([t.name, t.id_number if unmask else mask_id_number(t.id_number)])
        wb.save(dest)
        return dest
    return write_report


def fake_write_forms(calls: Calls):
    def write_forms(ws, dest, kind=None, teacher=None, seal=None, progress=None):
        from reportlab.pdfgen import canvas
        calls.forms.append({"kind": kind, "teacher": teacher, "seal": seal})
        buf = io.BytesIO()
        c = canvas.Canvas(buf)
        c.drawString(72, 720, f"SEAL {seal.seal_code} KEY {seal.fingerprint} INCOMPLETE {seal.allow_incomplete}")
        c.save()
        Path(dest).write_bytes(buf.getvalue())
        return dest
    return write_forms


@pytest.fixture
def calls():
    return Calls()


@pytest.fixture
def plugins(calls):
    """Every part present, compliance with nothing blocking."""
    return Plugins(write_report=fake_write_report(calls), write_forms=fake_write_forms(calls),
                   run_check=lambda ws: FakeReport())


def bagit_valid(path: Path) -> tuple[bool, str]:
    import bagit
    try:
        bagit.Bag(str(path)).validate()
        return True, ""
    except (bagit.BagError, bagit.BagValidationError) as exc:
        return False, str(exc)


def minisign_ok(bag: Path, pub: Path | None = None) -> tuple[bool, str]:
    pub = pub or bag / "school.pub"
    r = subprocess.run([MINISIGN, "-Vm", "tagmanifest-sha256.txt", "-p", str(pub)], cwd=bag,
                       capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr
