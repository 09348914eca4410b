"""The school's records as bundle.json, and where every payload file goes in the bag.

Everything is read in one session (one SQLite read transaction, so one
consistent snapshot). Personal ID numbers and phone numbers are masked unless
the user chose otherwise; the masking also scrubs them from any free text
(notes, compliance messages) before the JSON is written.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from app import APP_NAME, __version__
from app.errors import AppError, StorageError
from app.models import (AbilityChoice, AbilityPoint, ActivityAttendance, ActivityFile, Assessment,
                        Deadline, EvidenceFile, EvidenceItem, ExcellentCase, HoursRecord, PlanDocument,
                        Programme, ProgrammeChange, School, SchoolCourse, SelfAssessmentEntry, StudyGroup,
                        SupportRecord, Teacher,
                        TeachingPoint, Team, TeamMember, TrainingActivity)
from app.services.bundle.district_fields import retirement_year
from app.services.bundle.safe_names import Folder
from app.services.programmes import load_preset, preset_ids, programme_hash
from app.services.programmes.adjust import rule_views
from app.services.store import is_sha256
from app.services.validation import mask_id_number, mask_phone

FORMAT = "tisheng-bundle"
FORMAT_VERSION = 1
BUNDLE_JSON = "data/bundle.json"
REPORT_PATH = "data/报表/汇总.xlsx"
EVIDENCE_DIR = "data/证据"
PLAN_DIR = "data/方案"
ACTIVITY_DIR = "data/活动"
FOLDER_LIMIT = 40          # teacher / point / activity folder names, so files keep ≥ 60 units


class NoSchoolError(AppError):
    pass


@dataclass(frozen=True)
class PayloadFile:
    """One file of data/: copied from the evidence store, or generated (source None)."""

    path: str
    sha256: str
    size: int
    source: Path | None
    role: str                         # evidence / plan / activity / report / records
    original_name: str = ""


@dataclass
class BundlePlan:
    school_name: str
    school_code: str
    contact_phone: str
    programme_name: str
    programme_hash: str
    teacher_count: int
    masked: bool
    # bundle.json without "files", "compliance", bag fields: each top-level value as its JSON text
    # (masked, indented as it sits in the document): a 2,000-teacher school's rows as Python dicts
    # took ~80 MB for the whole export, as text ~15 MB
    records: dict[str, bytes]
    files: list[PayloadFile] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)   # full value → masked value
    record_rows: int = 0                # rows in the records' lists (to reserve room for bundle.json)

    @property
    def store_bytes(self) -> int:
        return sum(f.size for f in self.files if f.source is not None)


_SCALARS = frozenset((str, int, float, bool, type(None)))     # JSON-ready as they are


def plain(value: Any) -> Any:
    """JSON-ready copy of a value read from the database."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def row_dict(obj: Any, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    data = obj.model_dump()
    return {k: plain(v) for k, v in data.items() if k not in drop}


class Scrubber:
    """Replaces every full ID/phone number inside any string of a JSON structure.

    Linear in the text: candidate runs of digits/letters are found with one regex and
    only windows of the secrets' lengths are looked up (thousands of teachers × every
    string would otherwise be quadratic).
    """

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = {k: v for k, v in secrets.items() if k}
        self.lengths = sorted({len(k) for k in self.secrets}, reverse=True)
        chars = "".join(sorted({re.escape(c) for k in self.secrets for c in k}))
        self.run = (re.compile(f"[{chars}]{{{self.lengths[-1]},}}") if self.secrets else None)

    def _fix(self, m: re.Match) -> str:
        run = m.group(0)
        out, i = [], 0
        while i < len(run):
            for n in self.lengths:
                piece = run[i:i + n]
                if len(piece) == n and piece in self.secrets:
                    out.append(self.secrets[piece])
                    i += n
                    break
            else:
                out.append(run[i])
                i += 1
        return "".join(out)

    def __call__(self, obj: Any) -> Any:
        """Scrub in place (dicts and lists are modified); returns obj or the new string."""
        if self.run is None:
            return obj
        if isinstance(obj, str):
            return self.run.sub(self._fix, obj) if self.run.search(obj) else obj
        if isinstance(obj, dict):
            search, sub, fix = self.run.search, self.run.sub, self._fix
            for k, v in obj.items():
                if type(v) is str:                       # most values: no call per value
                    if search(v):
                        obj[k] = sub(fix, v)
                elif isinstance(v, (str, dict, list)):
                    obj[k] = self(v)
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                if isinstance(v, (str, dict, list)):
                    obj[i] = self(v)
        return obj


def scrub(obj: Any, secrets: dict[str, str]) -> Any:
    return Scrubber(secrets)(obj)


def _file_entry(f: PayloadFile) -> dict[str, Any]:
    return {"path": f.path, "sha256": f.sha256, "size": f.size, "original_name": f.original_name}


class _Planner:
    def __init__(self, ws, s: Session) -> None:
        self.ws = ws
        self.s = s
        self.files: list[PayloadFile] = []
        self.missing: list[str] = []

    def stored(self, path: str, sha: str, size: int, role: str, original: str, what: str) -> PayloadFile:
        if not is_sha256(sha):             # a damaged value: fsck lists it as missing too
            self.missing.append(f"{what}：{original}（数据库中记录的校验值已损坏，找不到对应的文件）")
            f = PayloadFile(path, str(sha), size, self.ws.store.root / "missing", role, original)
            self.files.append(f)
            return f
        source = self.ws.store.path_for(sha)
        try:
            actual = source.stat().st_size
        except OSError:
            actual = None
        if actual != size:
            self.missing.append(f"{what}：{original}（本机存储中{'缺少该文件' if actual is None else '文件大小不符'}）")
        f = PayloadFile(path, sha, size, source, role, original)
        self.files.append(f)
        return f


def build_plan(ws, *, unmask: bool = False) -> BundlePlan:
    """Read the database once and lay out bundle.json and every payload file."""
    with ws.sessions() as s:
        school = s.exec(select(School)).first()
        if school is None:
            raise NoSchoolError("尚未设置学校信息，无法导出报送包。请先完成学校的初始设置。")
        prog = s.exec(select(Programme)).first()
        p = _Planner(ws, s)
        points = {a.code: a for a in s.exec(select(AbilityPoint))}
        items = {i.id: i for i in s.exec(select(EvidenceItem))}
        teachers = list(s.exec(select(Teacher).order_by(Teacher.id)))
        secrets: dict[str, str] = {}
        folders: dict[int, str] = {}
        teacher_root = Folder(EVIDENCE_DIR)
        teacher_rows = []
        for seq, t in enumerate(teachers, 1):
            label = f"{t.staff_no or f'{seq:03d}'}_{t.name}"
            folders[t.id] = teacher_root.claim_folder(label, limit=FOLDER_LIMIT)
            row = row_dict(t)
            if not unmask:
                if t.id_number:
                    secrets[t.id_number] = mask_id_number(t.id_number)
                if t.phone and len(t.phone) >= 7:
                    secrets[t.phone] = mask_phone(t.phone)
                    digits = "".join(ch for ch in t.phone if ch.isdigit())
                    if digits != t.phone and len(digits) >= 7:   # the same number written without dashes
                        secrets[digits] = mask_phone(digits)
                row["id_number"] = mask_id_number(t.id_number) if t.id_number else t.id_number
                row["phone"] = mask_phone(t.phone) if t.phone else t.phone
            row["seq"] = seq
            row["folder"] = folders[t.id]
            row["retirement_year"] = retirement_year(t)      # for the district's re-check when masked
            teacher_rows.append(row)

        # the big tables are read as plain rows, each written out as JSON text at once: no ORM
        # object or dict per row outlives its row (they fragmented ~80 MB of heap at 2,000 teachers)
        scrubber = Scrubber(secrets)
        evidence_rows = _RowsText(scrubber)
        used_codes: set[str] = set()
        used_item_ids: set[int] = set()
        point_folders: dict[tuple[int, str], Folder] = {}
        teacher_folders: dict[int, Folder] = {}
        for ef in _plain_rows(s, EvidenceFile, EvidenceFile.teacher_id, EvidenceFile.point_code,
                              EvidenceFile.item_id, EvidenceFile.id):
            ef = _Row(ef)
            item = items.get(ef.item_id)
            code = ef.point_code or (item.point_code if item else None)
            if code:
                label = f"{code}_{points[code].name}" if code in points else code
                key = (ef.teacher_id, code)
            else:
                label = f"个人材料_{item.title if item else ef.item_id}"
                key = (ef.teacher_id, f"item:{ef.item_id}")
            folder = point_folders.get(key)
            if folder is None:
                parent = teacher_folders.setdefault(ef.teacher_id, Folder(folders[ef.teacher_id]))
                folder = point_folders[key] = Folder(parent.claim_folder(label, limit=FOLDER_LIMIT))
            path = folder.claim(ef.original_name, fallback=f"证据{ef.id}")
            p.stored(path, ef.sha256, ef.size, "evidence", ef.original_name, "证据文件")
            row = ef.__dict__
            row.update(path=path, item_title=item.title if item else "", item_seq=item.seq if item else None)
            evidence_rows.add(row)
            if row.get("point_code"):
                used_codes.add(row["point_code"])
            used_item_ids.add(row["item_id"])

        plan_rows = []
        plan_folder = Folder(PLAN_DIR)
        for doc in s.exec(select(PlanDocument).order_by(PlanDocument.id)):
            row = row_dict(doc)
            row["path"] = None
            if doc.sha256:
                ext = ""
                stem, dot, tail = (doc.original_name or "").rpartition(".")
                if dot and stem and len(tail) <= 12:
                    ext = "." + tail
                path = plan_folder.claim(f"{doc.kind}_{doc.title}{ext}", fallback=f"方案{doc.id}")
                p.stored(path, doc.sha256, doc.size, "plan", doc.original_name, "方案文件")
                row["path"] = path
            plan_rows.append(row)

        activity_rows = []
        act_root = Folder(ACTIVITY_DIR)
        attendance: dict[int, list[int]] = {}
        for a in s.exec(select(ActivityAttendance).order_by(ActivityAttendance.id)):
            attendance.setdefault(a.activity_id, []).append(a.teacher_id)
        act_files: dict[int, list[ActivityFile]] = {}
        for f in s.exec(select(ActivityFile).order_by(ActivityFile.id)):
            act_files.setdefault(f.activity_id, []).append(f)
        for act in s.exec(select(TrainingActivity).order_by(TrainingActivity.on_date, TrainingActivity.id)):
            row = row_dict(act)
            row["attendees"] = attendance.get(act.id, [])
            row["files"] = []
            files = act_files.get(act.id, [])
            if files:
                folder = Folder(act_root.claim_folder(f"{act.on_date:%Y%m%d}_{act.title}", limit=FOLDER_LIMIT))
                for f in files:
                    path = folder.claim(f.original_name, fallback=f"活动文件{f.id}")
                    p.stored(path, f.sha256, f.size, "activity", f.original_name, "活动记录")
                    row["files"].append({"id": f.id, "path": path, "sha256": f.sha256, "size": f.size,
                                         "original_name": f.original_name})
            activity_rows.append(row)

        if p.missing:
            raise StorageError(f"有 {len(p.missing)} 个证据文件缺失或损坏，无法导出。"
                               "如有完整备份，请从完整备份找回这些文件，否则请删除这些记录后重新添加文件。",
                               details=p.missing[:50],
                               cli_hint="查看受影响的记录：tisheng fsck；从完整备份找回：tisheng fsck --from-backup "
                                        "完整备份文件夹。")

        members: dict[int, list[dict]] = {}
        for m in s.exec(select(TeamMember).order_by(TeamMember.id)):
            members.setdefault(m.team_id, []).append(row_dict(m, drop=("team_id",)))
        teams = []
        for team in s.exec(select(Team).order_by(Team.id)):
            row = row_dict(team)
            row["members"] = members.get(team.id, [])
            teams.append(row)

        used_points = sorted({c.point_code for c in s.exec(select(AbilityChoice))}
                             | used_codes)
        used_items = sorted(used_item_ids)
        rules = json.loads(prog.rules_json) if prog else None
        records: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app": {"name": APP_NAME, "version": __version__},
            "personal_data": {
                "masked": not unmask,
                "policy": "full" if unmask else "masked",
                "note": ("导出时用户选择了不隐去身份证号和手机号（完整个人信息）。" if unmask
                         else "身份证号、手机号已部分隐去。"),
            },
            "school": row_dict(school),
            "teaching_points": [row_dict(tp) for tp in s.exec(select(TeachingPoint).order_by(TeachingPoint.id))],
            "programme": programme_record(s, prog, rules) if prog else None,
            "self_assessment": [row_dict(e) for e in s.exec(select(SelfAssessmentEntry)
                                                             .order_by(SelfAssessmentEntry.indicator))],
            "teams": teams,
            "study_groups": [row_dict(g) for g in s.exec(select(StudyGroup).order_by(StudyGroup.id))],
            "teachers": teacher_rows,
            "ability_points": [row_dict(points[c]) for c in used_points if c in points],
            "evidence_items": [row_dict(items[i]) for i in used_items if i in items],
            "choices": _RowsText(scrubber, _plain_rows(s, AbilityChoice, AbilityChoice.teacher_id,
                                                       AbilityChoice.id)),
            "evidence": evidence_rows,
            "hours": _RowsText(scrubber, _plain_rows(s, HoursRecord, HoursRecord.teacher_id, HoursRecord.id)),
            "activities": activity_rows,
            "courses": [row_dict(c) for c in s.exec(select(SchoolCourse).order_by(SchoolCourse.id))],
            "assessments": _RowsText(scrubber, _plain_rows(s, Assessment, Assessment.teacher_id, Assessment.id)),
            "support": [row_dict(r) for r in s.exec(select(SupportRecord).order_by(SupportRecord.id))],
            "excellent_cases": [row_dict(c) for c in s.exec(select(ExcellentCase).order_by(ExcellentCase.id))],
            "plans": plan_rows,
            "deadlines": [row_dict(d) for d in s.exec(select(Deadline).order_by(Deadline.due_on, Deadline.id))],
        }
        rows = sum(len(v) for v in records.values() if isinstance(v, (list, _RowsText)))
        for k in list(records):                 # one section's dicts at a time are freed
            v = records[k]
            records[k] = v.text() if isinstance(v, _RowsText) else _fragment(scrubber(v), 1)
        return BundlePlan(school_name=school.name, school_code=school.code,
                          contact_phone=school.contact_phone or "",
                          programme_name=prog.name if prog else "",
                          programme_hash=programme_hash(rules) if rules else "", teacher_count=len(teachers),
                          masked=not unmask, records=records, files=p.files, secrets=secrets, record_rows=rows)


def _plain_rows(s: Session, model, *order) -> Iterator[dict[str, Any]]:
    """A table's rows as JSON-ready dicts (the columns model_dump gives), fetched as the
    cursor goes, without ORM objects."""
    cols = list(model.__table__.columns)
    for row in s.connection().execute(sa_select(*cols).order_by(*order)):
        yield {c.name: v if type(v) in _SCALARS else plain(v) for c, v in zip(cols, row)}


class _Row:
    """Attribute access to a plain row dict (the evidence loop reads it like the model)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__ = data


class _RowsText:
    """A list of rows written as its JSON text (masked) as the rows come, in one growing buffer."""

    def __init__(self, scrubber: Scrubber, rows=()) -> None:
        self._scrub = scrubber
        self._buf = io.BytesIO()
        self.count = 0
        for row in rows:
            self.add(row)

    def __len__(self) -> int:
        return self.count

    def add(self, row: dict[str, Any]) -> None:
        self._buf.write(b"[\n  " if not self.count else b",\n  ")
        self._buf.write(_fragment(self._scrub(row), 2))
        self.count += 1

    def text(self) -> bytes:
        return self._buf.getvalue() + b"\n ]" if self.count else b"[]"


def programme_record(s, prog: Programme, rules: dict[str, Any]) -> dict[str, Any]:
    """The programme as applied, its hash, and how it differs from the preset it came from."""
    preset = load_preset(prog.preset_id) if prog.preset_id in preset_ids() else None
    differences = [r.key for r in rule_views(rules, preset) if r.changed] if preset else []
    changes = [{"at": plain(c.at), "by": c.by, "key": c.key, "before": c.before_json, "after": c.after_json,
                "note": c.note} for c in s.exec(select(ProgrammeChange).order_by(ProgrammeChange.id))]
    return {"preset_id": prog.preset_id, "name": prog.name, "source": prog.source,
            "adjusted": bool(differences) or preset is None, "updated_at": plain(prog.updated_at),
            "applied_hash": programme_hash(rules), "preset_hash": programme_hash(preset) if preset else None,
            "differences": differences, "changes": changes, "rules": rules}


@lru_cache(maxsize=8)
def _flat_encoder(depth: int) -> json.JSONEncoder:
    # no indent, so json's C encoder runs; the item separator carries the line break and indent
    return json.JSONEncoder(ensure_ascii=False, separators=(",\n" + " " * (depth + 1), ": "))


def _fragment(value: Any, depth: int) -> bytes:
    """`value` as json.dumps(indent=1) writes it `depth` levels deep in a document (JSON text
    has no raw line breaks inside strings, so indenting every following line is exact).

    A record whose values are all scalars (nearly every row) is written by json's C encoder
    with the same separators: json.dumps with an indent runs its pure-Python encoder, which
    took a third of reading a 2,000-teacher school for its bundle."""
    if type(value) is dict and value and all(type(v) in _SCALARS for v in value.values()):
        text = _flat_encoder(depth).encode(value)
        return ("{\n" + " " * (depth + 1) + text[1:-1] + "\n" + " " * depth + "}").encode("utf-8")
    text = json.dumps(value, ensure_ascii=False, indent=1, default=plain)
    return text.replace("\n", "\n" + " " * depth).encode("utf-8")


def write_bundle_json(plan: BundlePlan, out, *, extra: dict[str, Any], files: list[PayloadFile]) -> None:
    """Write bundle.json to the binary stream `out`, a section at a time: the records, the bag
    fields in `extra` (masked here, in place), and every other payload file. The bytes are
    those of json.dumps(document, ensure_ascii=False, indent=1) + "\n"."""
    scrub = Scrubber(plan.secrets)
    first = True

    def key(k: str) -> None:
        nonlocal first
        out.write((b"{\n " if first else b",\n ") + json.dumps(k, ensure_ascii=False).encode("utf-8") + b": ")
        first = False

    def files_list() -> None:
        entries = [f for f in sorted(files, key=lambda f: f.path) if f.path != BUNDLE_JSON]
        if not entries:
            out.write(b"[]")
            return
        for i, f in enumerate(entries):
            out.write(b"[\n  " if i == 0 else b",\n  ")
            out.write(_fragment(scrub(dict(_file_entry(f), role=f.role)), 2))
        out.write(b"\n ]")

    order = list(plan.records) + [k for k in extra if k not in plan.records]
    if "files" not in order:
        order.append("files")
    for k in order:
        key(k)
        if k == "files":
            files_list()
        elif k in extra:
            out.write(_fragment(scrub(extra[k]), 1))
        else:
            out.write(plan.records[k])
    out.write(b"{}\n" if first else b"\n}\n")


def bundle_json_bytes(plan: BundlePlan, *, extra: dict[str, Any], files: list[PayloadFile]) -> bytes:
    """bundle.json in memory (write_bundle_json into bytes)."""
    import io
    buf = io.BytesIO()
    write_bundle_json(plan, buf, extra=extra, files=files)
    return buf.getvalue()
