"""The pack document read back (at the teaching point from the stick, at the school from its own copy).

`parse_document` checks every field it uses and returns frozen DTOs, so a damaged or edited
tisheng-pack.json ends in one Chinese message and never in a half-open window. The programme
inside is checked by the same `check_programme` a school's own import uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from app.errors import ValidationError
from app.services.choices import PointInfo
from app.services.packs.jsonio import Fields, PackDataError
from app.services.packs.layout import PACK_FILE, PACK_FORMAT, PACK_VERSION
from app.services.programmes import Rules
from app.services.programmes.document import check_programme

MAX_TEACHERS = 500
MAX_ITEMS = 2000


@dataclass(frozen=True)
class PackItem:
    id: int
    point: str | None
    seq: int
    title: str
    kinds: tuple[str, ...]
    max_mb: int | None
    max_minutes: int | None = None

    @property
    def label(self) -> str:
        return f"{self.point or '个人'}-{self.seq} {self.title}"


@dataclass(frozen=True)
class SchoolFile:
    """Evidence already filed at the school when the pack was made (the file stays there)."""
    id: int
    item: int
    point: str | None
    name: str
    size: int
    added_at: str
    grade: str
    sha256: str = ""


@dataclass(frozen=True)
class IssuedHours:
    category: str
    topic: str
    hours: float
    on_date: date | None
    source: str
    note: str


@dataclass(frozen=True)
class PackTeacher:
    id: int
    name: str
    id_masked: str
    staff_no: str
    subject: str
    group: str
    point: str
    environment: str
    exempt_reason: str | None
    choices: tuple[str, ...]
    personal_items: tuple[int, ...]
    files: tuple[SchoolFile, ...]
    hours: tuple[IssuedHours, ...]

    @property
    def label(self) -> str:
        return f"{self.name}（{self.staff_no}）" if self.staff_no else self.name


@dataclass(frozen=True)
class PackDocument:
    pack_id: str
    issued_at: datetime
    issued_by: str
    school_name: str
    school_code: str
    school_environment: str
    school_year: str
    scope_kind: str
    scope_name: str
    programme: dict
    programme_hash: str
    start_year: int
    points: dict[str, PointInfo]
    items: dict[int, PackItem]
    activity_kinds: tuple[str, ...]
    teachers: tuple[PackTeacher, ...]

    @cached_property
    def rules(self) -> Rules:
        return Rules(self.programme)

    def teacher(self, teacher_id: int) -> PackTeacher | None:
        return next((t for t in self.teachers if t.id == teacher_id), None)

    def items_of(self, point: str | None) -> list[PackItem]:
        return sorted((i for i in self.items.values() if i.point == point), key=lambda i: i.seq)

    @property
    def title(self) -> str:
        return f"{self.school_name} · {self.scope_kind}“{self.scope_name}”"


def _teacher(obj: Any, n: int, items: dict[int, PackItem], points: dict[str, PointInfo]) -> PackTeacher:
    f = Fields(obj, f"{PACK_FILE} 第 {n} 位教师")
    choices = []
    for c in f.items("choices", max_len=30):
        if c not in points:
            raise PackDataError(f"{f.where}：能力点“{str(c)[:10]}”不在目录中。")
        choices.append(c)
    personal = []
    for i in f.items("personal_items", max_len=50):
        if i not in items:
            raise PackDataError(f"{f.where}：个人项目编号无效。")
        personal.append(i)
    files = []
    for k, x in enumerate(f.items("files", max_len=5000), 1):
        g = Fields(x, f"{f.where}的第 {k} 个证据文件")
        files.append(SchoolFile(g.integer("id", low=1), g.integer("item", low=1), g.obj.get("point"),
                                g.text("name", max_len=255), g.integer("size"), g.text("added_at", max_len=32),
                                g.text("grade", max_len=20, default=""),
                                g.sha256("sha256") if g.has("sha256") else ""))
    hours = []
    for k, x in enumerate(f.items("hours", max_len=5000), 1):
        g = Fields(x, f"{f.where}的第 {k} 条学时")
        hours.append(IssuedHours(g.text("category", max_len=40), g.text("topic", max_len=100, default=""),
                                 g.number("hours", low=0, high=10000), g.day("date"),
                                 g.text("source", max_len=40, default=""), g.text("note", max_len=300, default="")))
    exempt = f.obj.get("exempt_reason")
    if exempt is not None and not isinstance(exempt, str):
        raise PackDataError(f"{f.where}：“exempt_reason”应为文字。")
    return PackTeacher(f.integer("id", low=1), f.text("name", max_len=60, empty=False),
                       f.text("id_masked", max_len=30, default=""), f.text("staff_no", max_len=40, default=""),
                       f.text("subject", max_len=40, default=""), f.text("group", max_len=60, default=""),
                       f.text("point", max_len=60, default=""), f.text("environment", max_len=10),
                       exempt, tuple(choices), tuple(personal), tuple(files), tuple(hours))


def parse_document(obj: Any, *, where: str = PACK_FILE) -> PackDocument:
    """The pack document, checked; PackDataError (Chinese) when anything is off."""
    f = Fields(obj, where)
    if f.obj.get("format") != PACK_FORMAT:
        raise PackDataError(f"“{where}”不是本软件的采集包文件。")
    if f.obj.get("format_version") != PACK_VERSION:
        raise PackDataError(f"采集包的版本（{str(f.obj.get('format_version'))[:10]}）本软件不认识，"
                            "请在教学点安装与中心校相同或更新版本的本软件。")
    try:
        programme = check_programme(f.obj.get("programme"))
    except ValidationError as exc:
        raise PackDataError(f"采集包中的项目方案已损坏：{exc.user_message}") from None
    points = {}
    for k, x in enumerate(f.items("points", max_len=100), 1):
        g = Fields(x, f"{where} 第 {k} 个能力点")
        p = PointInfo(g.text("code", max_len=4), g.text("name", max_len=60), g.text("environment", max_len=10),
                      g.text("dimension", max_len=10), g.text("description", max_len=600, default=""))
        points[p.code] = p
    items = {}
    for k, x in enumerate(f.items("items", max_len=MAX_ITEMS), 1):
        g = Fields(x, f"{where} 第 {k} 个证据项目")
        point = g.obj.get("point")
        if point is not None and point not in points:
            raise PackDataError(f"{g.where}：能力点无效。")
        kinds = tuple(str(x)[:10] for x in g.items("kinds", max_len=10))
        it = PackItem(g.integer("id", low=1), point, g.integer("seq", low=0, high=1000),
                      g.text("title", max_len=200), kinds, g.integer("max_mb", low=0, optional=True),
                      g.integer("max_minutes", low=0, optional=True))
        items[it.id] = it
    teachers = tuple(_teacher(x, k, items, points)
                     for k, x in enumerate(f.items("teachers", max_len=MAX_TEACHERS), 1))
    if not teachers:
        raise PackDataError(f"“{where}”中没有教师。")
    school, scope = f.sub("school"), f.sub("scope")
    kinds = tuple(str(k)[:20] for k in f.items("activity_kinds", max_len=30) if isinstance(k, str))
    return PackDocument(f.ident("pack_id"), f.moment("issued_at"), f.text("issued_by", max_len=40, default=""),
                        school.text("name", max_len=60), school.text("code", max_len=24),
                        school.text("environment", max_len=10), school.text("school_year", max_len=40, default=""),
                        scope.text("kind", max_len=10), scope.text("name", max_len=100),
                        programme, f.text("programme_hash", max_len=64, default=""),
                        f.integer("start_year", low=1900, high=3000), points, items, kinds, teachers)
