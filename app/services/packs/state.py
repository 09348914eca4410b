"""A pack as it stands: the issued document with the teaching point's changes replayed in order.

What each teacher has chosen, which required items still have no file, their hours counted by the
programme's windows (`counted_hours.count`, as the school counts them) and whether their choice
keeps the programme's rule (`choices.rule_problems`, the same function the school uses). The
hours check here is a reminder, not the verdict: the school's `tisheng check` decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.services.choices import rule_problems
from app.services.counted_hours import EMPTY, HoursFilter, HoursRecordLite, HoursTotals, count
from app.services.packs.changes import (ACTIVITY_ADD, CHOICES_SET, EVIDENCE_ADD, HOURS_ADD, SEALED, Change,
                                        FileRef, undone_targets)
from app.services.packs.document import PackDocument, PackItem, PackTeacher

ORIGIN_SCHOOL = "学校已有"
ORIGIN_PACK = "教学点新增"


@dataclass(frozen=True)
class FileEntry:
    key: str                    # "school:<evidence id>" or the id of the change that added it
    item: int
    point: str | None
    name: str
    size: int
    origin: str
    grade: str = ""
    sha256: str = ""
    replaced: bool = False      # a school file the teaching point replaced (kept at the school until merged)
    added_at: str = ""


@dataclass(frozen=True)
class ItemEntry:
    item: PackItem
    files: tuple[FileEntry, ...]

    @property
    def missing(self) -> bool:
        return not any(not f.replaced for f in self.files)


@dataclass(frozen=True)
class HoursEntry:
    key: str                    # "issued:<n>" or a change id
    category: str
    topic: str
    hours: float
    on_date: date | None
    origin: str
    note: str
    removable: bool             # added here as hours (an activity's hours go with the activity)


@dataclass(frozen=True)
class ActivityEntry:
    key: str
    title: str
    kind: str
    on_date: date
    hours: float
    category: str
    teacher_ids: tuple[int, ...]
    teacher_names: tuple[str, ...]
    files: tuple[FileRef, ...]
    location: str
    note: str


@dataclass(frozen=True)
class TeacherState:
    teacher: PackTeacher
    choices: tuple[str, ...]
    choices_changed: bool
    items: tuple[ItemEntry, ...]          # what the teacher must hand in, in order
    other_files: tuple[FileEntry, ...]    # files for items no longer required (a point dropped)
    hours: tuple[HoursEntry, ...]
    counted: HoursTotals
    choice_problems: tuple[str, ...]
    hours_short: tuple[str, ...]

    @property
    def exempt(self) -> bool:
        return self.teacher.exempt_reason is not None

    @property
    def missing_items(self) -> list[ItemEntry]:
        return [] if self.exempt else [i for i in self.items if i.missing]

    @property
    def todo(self) -> int:
        """How many things are still missing (items, a rule problem, hours short)."""
        if self.exempt:
            return 0
        return len(self.missing_items) + len(self.choice_problems) + len(self.hours_short)


@dataclass(frozen=True)
class MissingLine:
    teacher_id: int
    teacher: str
    kind: str                   # 证据 / 能力点 / 学时
    what: str


@dataclass(frozen=True)
class PackState:
    document: PackDocument
    teachers: tuple[TeacherState, ...]
    activities: tuple[ActivityEntry, ...]
    changes: tuple[Change, ...]
    sealed_seq: int                       # the newest return sealed (0: none yet)
    changes_since_seal: int

    def teacher(self, teacher_id: int) -> TeacherState | None:
        return next((t for t in self.teachers if t.teacher.id == teacher_id), None)

    @property
    def effective_changes(self) -> list[Change]:
        """Changes that still count (not withdrawn), without the 完成采集 markers."""
        gone = undone_targets(list(self.changes))
        return [c for c in self.changes if c.kind != SEALED and c.id not in gone and c.kind != "undo"]

    def missing(self) -> list[MissingLine]:
        out = []
        for t in self.teachers:
            if t.exempt:
                continue
            name = t.teacher.name
            out += [MissingLine(t.teacher.id, name, "能力点", p) for p in t.choice_problems]
            out += [MissingLine(t.teacher.id, name, "证据", i.item.label) for i in t.missing_items]
            out += [MissingLine(t.teacher.id, name, "学时", h) for h in t.hours_short]
        return out


def _hours_short(doc: PackDocument, counted: HoursTotals) -> list[str]:
    rules = doc.rules
    out = []
    for c in rules.categories:
        need = float(c.get("min") or 0)
        have = counted.by_category.get(c["key"], 0.0)
        if need and have < need:
            out.append(f"{c['key']}：已计 {have:g} 学时，至少 {need:g} 学时（还差 {need - have:g}）")
    if rules.total_min and counted.total < rules.total_min:
        out.append(f"总学时：已计 {counted.total:g} 学时，至少 {rules.total_min:g} 学时"
                   f"（还差 {rules.total_min - counted.total:g}）")
    return out


def build_state(doc: PackDocument, changes: list[Change]) -> PackState:
    changes = sorted(changes, key=lambda c: (c.seq, c.id))
    gone = undone_targets(changes)
    live = [c for c in changes if c.id not in gone]
    choices = {t.id: list(t.choices) for t in doc.teachers}
    pack_files: dict[int, list[FileEntry]] = {t.id: [] for t in doc.teachers}
    replaced: set[int] = set()
    added_hours: dict[int, list[HoursEntry]] = {t.id: [] for t in doc.teachers}
    activities = []
    names = {t.id: t.name for t in doc.teachers}
    for c in live:
        tid = c.teacher
        if c.kind == CHOICES_SET and tid in choices:
            choices[tid] = list(c.data["codes"])
        elif c.kind == EVIDENCE_ADD and tid in pack_files:
            f = c.data["file"]
            pack_files[tid].append(FileEntry(c.id, c.data["item"], c.data["point"], f.name, f.size, ORIGIN_PACK,
                                             sha256=f.sha256, added_at=c.at.isoformat(sep=" ")))
            if c.data["replaces"]:
                replaced.add(c.data["replaces"])
        elif c.kind == HOURS_ADD and tid in added_hours:
            added_hours[tid].append(HoursEntry(c.id, c.data["category"], c.data["topic"], c.data["hours"],
                                               c.data["date"], ORIGIN_PACK, c.data["note"], True))
        elif c.kind == ACTIVITY_ADD:
            d = c.data
            ids = tuple(i for i in d["teachers"] if i in names)
            activities.append(ActivityEntry(c.id, d["title"], d["activity_kind"], d["date"], d["hours"], d["category"],
                                            ids, tuple(names[i] for i in ids), tuple(d["files"]), d["location"],
                                            d["note"]))
            for i in ids:
                added_hours[i].append(HoursEntry(c.id, d["category"], d["topic"], d["hours"], d["date"],
                                                 f"培训活动（{d['activity_kind']}）", d["title"], False))
    rules = doc.rules
    flt = HoursFilter.of(rules, doc.start_year)
    lite = []
    hours_by_teacher: dict[int, list[HoursEntry]] = {}
    for t in doc.teachers:
        issued = [HoursEntry(f"issued:{n}", h.category, h.topic, h.hours, h.on_date, h.source or ORIGIN_SCHOOL,
                             h.note, False) for n, h in enumerate(t.hours)]
        hours_by_teacher[t.id] = issued + added_hours[t.id]
        lite += [HoursRecordLite(t.id, h.category, h.topic, h.hours, h.on_date) for h in hours_by_teacher[t.id]]
    counted = count(lite, flt)
    states = []
    for t in doc.teachers:
        files = [FileEntry(f"school:{f.id}", f.item, f.point, f.name, f.size, ORIGIN_SCHOOL, f.grade,
                           sha256=f.sha256, replaced=f.id in replaced, added_at=f.added_at) for f in t.files]
        files += pack_files[t.id]
        codes = tuple(c for c in choices[t.id] if c in doc.points)
        required = [i for code in codes for i in doc.items_of(code)]
        required += [doc.items[i] for i in t.personal_items if i in doc.items]
        wanted = {i.id for i in required}
        items = tuple(ItemEntry(i, tuple(f for f in files if f.item == i.id)) for i in required)
        other = tuple(f for f in files if f.item not in wanted)
        problems: list[str] = []
        if rules.micro is not None and t.exempt_reason is None:
            problems = (["尚未选择能力点"] if not codes else
                        rule_problems(rules.micro, t.environment, [doc.points[c] for c in codes]))
        totals = counted.get(t.id, EMPTY)
        states.append(TeacherState(t, codes, list(codes) != list(t.choices), items, other,
                                   tuple(hours_by_teacher[t.id]), totals, tuple(problems),
                                   tuple(_hours_short(doc, totals)) if t.exempt_reason is None else ()))
    seals = [c for c in changes if c.kind == SEALED]
    last_seal = max(seals, key=lambda c: c.seq) if seals else None
    since = sum(1 for c in changes if c.kind != SEALED and (last_seal is None or c.seq > last_seal.seq))
    return PackState(doc, tuple(states), tuple(activities), tuple(changes),
                     max((c.data["return_seq"] for c in seals), default=0), since)
