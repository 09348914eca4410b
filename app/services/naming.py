"""Names of the school's own records (teams, 研修组, courses, teaching points): cleaning what a
person typed, and finding a record by its name or its number as the command line names it."""

from __future__ import annotations

from typing import Callable

from sqlmodel import Session, select

from app.errors import AmbiguousError, NotFoundError, ValidationError
from app.services.validation import normalize_text

_LISTED = 10     # how many existing names a "not found" message offers


def clean_text(raw: object, label: str, max_len: int, *, field: str, required: bool = False) -> str:
    """Trimmed text of at most max_len characters with no control characters.

    Line breaks and tabs in a name would break tables, Excel cells and the bundle's CSV, and the
    window's fields cannot hold more than their limit: the same limits apply to every entry path.
    """
    text = normalize_text(raw, label=label, field=field)      # control and invisible characters refused there
    if required and not text:
        raise ValidationError(f"{label}不能为空。", field=field)
    if len(text) > max_len:
        raise ValidationError(f"{label}过长（{len(text)} 个字，最多 {max_len} 个字）。", field=field)
    return text


def find_by_name_or_id(s: Session, model, ref: object, *, noun: str, name_field: str = "name",
                       counter: str = "个", describe: Callable[[object], str] | None = None):
    """The one row of `model` whose name is `ref`, else the row numbered `ref`.

    The name wins over the number, so a team called “1” is still found by its name.
    Raises NotFoundError (listing what exists) or AmbiguousError (listing the numbers).
    """
    text = normalize_text(ref)
    if not text:
        raise NotFoundError(f"请指定{noun}（名称或编号）。")
    column = getattr(model, name_field)
    matches = s.exec(select(model).where(column == text).order_by(model.id)).all()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        labels = "、".join(f"编号 {m.id}" + (f"（{describe(m)}）" if describe else "") for m in matches)
        raise AmbiguousError(f"有 {len(matches)} {counter}{noun}叫“{text}”：{labels}。请改用编号指定。")
    if text.isdigit() and len(text) < 10:
        row = s.get(model, int(text))
        if row is not None:
            return row
    names = s.exec(select(column).order_by(model.id)).all()
    if not names:
        raise NotFoundError(f"找不到{noun}“{text}”：本校还没有任何{noun}。")
    shown = "、".join(names[:_LISTED]) + ("等" if len(names) > _LISTED else "")
    raise NotFoundError(f"找不到{noun}“{text}”（按名称和编号都没有找到）。现有{noun}：{shown}。")
