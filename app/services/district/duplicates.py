"""For review: the same evidence file from different teachers (材料雷同), the same person in two schools.

Only the current version of each unit is compared. Evidence is compared by SHA-256, so any
byte-identical file is found whatever it is called. People: when both bundles carry full ID
numbers the district compares keyed digests of them (the numbers themselves are never stored);
when a bundle is masked (the default) only the masked number (first 6 and last 4 digits) and the
name can be compared, and a match is listed as 疑似 (possible), to be checked with the schools.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import select

from app.models.district import BundleEvidence, BundlePerson, ReceivedBundle
from app.services.district.office import require_office


@dataclass(frozen=True, order=True)
class Holder:
    unit_code: str
    school_name: str
    teacher_name: str
    path: str


@dataclass(frozen=True)
class DuplicateFile:
    sha256: str
    size: int
    holders: tuple[Holder, ...]

    @property
    def schools(self) -> int:
        return len({h.unit_code for h in self.holders})

    @property
    def teachers(self) -> int:
        return len({(h.unit_code, h.teacher_name) for h in self.holders})

    @property
    def id(self) -> str:
        return self.sha256

    def to_dict(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "schools": self.schools, "teachers": self.teachers,
                "holders": [h.__dict__ for h in self.holders]}


@dataclass(frozen=True)
class SamePerson:
    kind: str                     # 身份证号相同 / 疑似同一人
    name: str
    masked_id: str
    holders: tuple[tuple[str, str, str], ...]     # (unit code, school name, name there)
    note: str

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.masked_id}:{self.name}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "masked_id": self.masked_id, "note": self.note,
                "holders": [{"school": u, "name": n, "teacher": t} for u, n, t in self.holders]}


def _current(s) -> dict[int, ReceivedBundle]:
    return {b.id: b for b in s.exec(select(ReceivedBundle).where(ReceivedBundle.current == True))}  # noqa: E712


def duplicate_evidence(ws) -> list[DuplicateFile]:
    """Files whose bytes were submitted by more than one teacher (in one school or several), largest first."""
    with ws.sessions() as s:
        require_office(s)
        bundles = _current(s)
        by_hash: dict[str, list[BundleEvidence]] = defaultdict(list)
        for e in s.exec(select(BundleEvidence).where(BundleEvidence.bundle_id.in_(list(bundles)))):
            by_hash[e.sha256].append(e)
    out = []
    for sha, rows in by_hash.items():
        who = {(bundles[r.bundle_id].unit_code, r.teacher_ref) for r in rows}
        if len(who) < 2:
            continue
        holders = tuple(sorted(Holder(bundles[r.bundle_id].unit_code, bundles[r.bundle_id].school_name,
                                      r.teacher_name, r.path) for r in rows))
        out.append(DuplicateFile(sha, rows[0].size, holders))
    out.sort(key=lambda d: (-d.schools, -d.size, d.sha256))
    return out


def same_persons(ws) -> list[SamePerson]:
    """The same ID number in two units (exact when both unmasked; 疑似 from masked number and name)."""
    with ws.sessions() as s:
        require_office(s)
        bundles = _current(s)
        people = list(s.exec(select(BundlePerson).where(BundlePerson.bundle_id.in_(list(bundles)))))
    out: list[SamePerson] = []
    by_digest: dict[str, list[BundlePerson]] = defaultdict(list)
    for p in people:
        if p.id_digest:
            by_digest[p.id_digest].append(p)
    exact_pairs = set()
    for rows in by_digest.values():
        units = {bundles[p.bundle_id].unit_code for p in rows}
        if len(units) < 2:
            continue
        names = {p.name for p in rows}
        exact_pairs |= {(p.bundle_id, p.teacher_ref) for p in rows}
        out.append(SamePerson("身份证号相同", "、".join(sorted(names)), rows[0].masked_id,
                              tuple(sorted((bundles[p.bundle_id].unit_code, bundles[p.bundle_id].school_name, p.name)
                                           for p in rows)),
                              "两校报送的完整身份证号相同" + ("，但姓名不同，请核实" if len(names) > 1 else "")))
    by_mask: dict[tuple[str, str], list[BundlePerson]] = defaultdict(list)
    for p in people:
        if p.masked_id and "*" in p.masked_id and (p.bundle_id, p.teacher_ref) not in exact_pairs:
            by_mask[(p.masked_id, p.name)].append(p)
    for (mask, name), rows in by_mask.items():
        units = {bundles[p.bundle_id].unit_code for p in rows}
        if len(units) < 2 or all(p.id_digest for p in rows):
            continue                      # both full numbers known and different: not the same person
        out.append(SamePerson("疑似同一人", name, mask,
                              tuple(sorted((bundles[p.bundle_id].unit_code, bundles[p.bundle_id].school_name, p.name)
                                           for p in rows)),
                              "报送包隐去了身份证号中间 8 位，只能比较首 6 位、末 4 位和姓名；请与两校核实是否同一人"))
    out.sort(key=lambda p: (p.kind != "身份证号相同", p.name))
    return out
