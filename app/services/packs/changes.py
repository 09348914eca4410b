"""The changes a teaching point makes, as data: one checked shape, used when writing and when merging.

Each change is one small JSON object with an id (32 hex digits, so merging twice applies it once),
a sequence number, when and by whom, a kind and the kind's fields:

* evidence_add  – teacher, item, point, file {sha256, size, name}, replaces (a school file's id or null)
* hours_add     – teacher, category, hours, date, topic, note
* activity_add  – title, kind, date, hours, category, topic, location, organiser, note, teachers, files
* choices_set   – teacher, codes (the whole new set of 能力点)
* undo          – target: the id of an earlier change of this pack that is withdrawn
* sealed        – return_seq: 完成采集 was done (kept in the pack folder only, never merged)

`check_change` is the one validator: the collect side runs it before writing a change and the
central school runs it on every change of a return, so neither trusts the other's files.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.services.packs.jsonio import Fields, PackDataError
from app.services.packs.layout import CHANGE_FORMAT

EVIDENCE_ADD = "evidence_add"
HOURS_ADD = "hours_add"
ACTIVITY_ADD = "activity_add"
CHOICES_SET = "choices_set"
UNDO = "undo"
SEALED = "sealed"
KINDS = (EVIDENCE_ADD, HOURS_ADD, ACTIVITY_ADD, CHOICES_SET, UNDO, SEALED)
MERGED_KINDS = (EVIDENCE_ADD, HOURS_ADD, ACTIVITY_ADD, CHOICES_SET, UNDO)
KIND_NAMES = {EVIDENCE_ADD: "证据文件", HOURS_ADD: "学时", ACTIVITY_ADD: "培训活动", CHOICES_SET: "能力点选择",
              UNDO: "撤销", SEALED: "完成采集"}

MAX_HOURS = 200.0
MAX_FILE_SIZE = 4 * 1024 ** 3 - 1
_CODE = re.compile(r"^[A-C]\d{1,2}$")


@dataclass(frozen=True)
class FileRef:
    sha256: str
    size: int
    name: str


@dataclass(frozen=True)
class Change:
    id: str
    seq: int
    at: datetime
    by: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def teacher(self) -> int | None:
        return self.data.get("teacher")

    @property
    def files(self) -> list[FileRef]:
        if self.kind == EVIDENCE_ADD:
            return [self.data["file"]]
        if self.kind == ACTIVITY_ADD:
            return list(self.data["files"])
        return []

    def to_json(self) -> dict[str, Any]:
        out = {"format": CHANGE_FORMAT, "id": self.id, "seq": self.seq, "at": self.at.isoformat(timespec="seconds"),
               "by": self.by, "kind": self.kind}
        for k, v in self.data.items():
            if isinstance(v, FileRef):
                v = _file_json(v)
            elif isinstance(v, list) and v and isinstance(v[0], FileRef):
                v = [_file_json(f) for f in v]
            elif isinstance(v, date):
                v = v.isoformat()
            out[k] = v
        return out


def _file_json(f: FileRef) -> dict[str, Any]:
    return {"sha256": f.sha256, "size": f.size, "name": f.name}


def new_id() -> str:
    return uuid.uuid4().hex


def _file(obj: Any, where: str) -> FileRef:
    f = Fields(obj, where)
    return FileRef(f.sha256("sha256"), f.integer("size", high=MAX_FILE_SIZE), f.text("name", max_len=255, empty=False))


def _codes(f: Fields) -> list[str]:
    codes = []
    for c in f.items("codes", max_len=30):
        if not isinstance(c, str) or not _CODE.match(c):
            raise PackDataError(f"{f.where}：能力点代码“{str(c)[:10]}”无效。")
        if c not in codes:
            codes.append(c)
    return codes


def check_change(obj: Any, where: str) -> Change:
    """A change read from a file (or about to be written), checked completely; PackDataError if not."""
    f = Fields(obj, where)
    if f.obj.get("format") != CHANGE_FORMAT:
        raise PackDataError(f"{where}：不是采集包的更改记录。")
    kind = f.choice("kind", KINDS)
    data: dict[str, Any] = {}
    if kind in (EVIDENCE_ADD, HOURS_ADD, CHOICES_SET):
        data["teacher"] = f.integer("teacher", low=1)
    if kind == EVIDENCE_ADD:
        data["item"] = f.integer("item", low=1)
        point = f.obj.get("point")
        if point is not None and (not isinstance(point, str) or not _CODE.match(point)):
            raise PackDataError(f"{where}：能力点代码无效。")
        data["point"] = point
        data["file"] = _file(f.obj.get("file"), f"{where}的文件")
        data["replaces"] = f.integer("replaces", low=1, optional=True)
    elif kind == HOURS_ADD:
        data["category"] = f.text("category", max_len=40, empty=False)
        data["hours"] = f.number("hours", low=0.01, high=MAX_HOURS)
        data["date"] = f.day("date")
        data["topic"] = f.text("topic", max_len=100, default="")
        data["note"] = f.text("note", max_len=200, default="")
    elif kind == ACTIVITY_ADD:
        data["title"] = f.text("title", max_len=100, empty=False)
        data["activity_kind"] = f.text("activity_kind", max_len=20, empty=False)
        data["date"] = f.day("date", optional=False)
        data["hours"] = f.number("hours", low=0.01, high=MAX_HOURS)
        data["category"] = f.text("category", max_len=40, empty=False)
        for key, n in (("topic", 100), ("location", 100), ("organiser", 100), ("note", 200)):
            data[key] = f.text(key, max_len=n, default="")
        teachers = []
        for t in f.items("teachers", max_len=500):
            if isinstance(t, bool) or not isinstance(t, int) or t < 1:
                raise PackDataError(f"{where}：参加教师的编号无效。")
            if t not in teachers:
                teachers.append(t)
        if not teachers:
            raise PackDataError(f"{where}：培训活动没有参加教师。")
        data["teachers"] = teachers
        data["files"] = [_file(x, f"{where}的附件") for x in f.items("files", max_len=50, optional=True)]
    elif kind == CHOICES_SET:
        data["codes"] = _codes(f)
    elif kind == UNDO:
        data["target"] = f.ident("target")
    elif kind == SEALED:
        data["return_seq"] = f.integer("return_seq", low=1, high=999999)
    return Change(f.ident("id"), f.integer("seq", low=1, high=10 ** 9), f.moment("at"),
                  f.text("by", max_len=40, default=""), kind, data)


def make_change(kind: str, seq: int, by: str = "", *, at: datetime | None = None, **data: Any) -> Change:
    """A new change, checked by the same validator the merge uses."""
    raw = Change(new_id(), seq, (at or datetime.now()).replace(microsecond=0), by, kind, data).to_json()
    return check_change(raw, "新的更改")


def undone_targets(changes: list[Change]) -> set[str]:
    """Ids withdrawn by an undo (an undo of an undo is not offered, so this is flat)."""
    return {c.data["target"] for c in changes if c.kind == UNDO}
