"""How the team, group, course and point commands show the teachers of a record, and the
confirmation they ask for before a removal that takes other records with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.cli.lazy import lazy
from app.errors import RuleViolation

if TYPE_CHECKING:
    from app.services.teachers import TeacherRow

teachers = lazy("app.services.teachers")

_NAMED = 5       # how many names a message spells out before "等"


def brief(row: TeacherRow) -> dict:
    """A teacher inside another record's JSON: stable keys, no personal data."""
    return {"id": row.id, "name": row.name, "staff_no": row.staff_no}


def roster(ws) -> dict[int, TeacherRow]:
    return {t.id: t for t in teachers.list_teachers(ws)}


def briefs(ids, by_id: dict[int, TeacherRow]) -> list[dict]:
    return [brief(by_id[i]) for i in ids if i in by_id]


def names(rows: list[TeacherRow]) -> str:
    shown = "、".join(r.label for r in rows[:_NAMED])
    return shown + ("等" if len(rows) > _NAMED else "")


def require_yes(args, message: str) -> None:
    """Refuse, saying what would go, unless --yes was given (as `teacher remove` does)."""
    if not args.yes:
        raise RuleViolation(message + "确认删除请加 --yes。")
