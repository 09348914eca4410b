"""What a programme puts into the school's records: per-teacher items and the year's deadlines.

Run when a school is set up, when it changes or adjusts its programme, and when it moves to a
new school year; records the school has already completed are kept.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from app.models import Deadline, EvidenceFile, EvidenceItem
from app.services.programmes.calendar import place, year_start
from app.services.programmes.rules import Rules

FROM_PROGRAMME = "项目方案"                  # Deadline.note of the rows a programme installs
DOCUMENT_KIND = "document:"                   # Deadline.kind prefix: met when the document is filed


def install_teacher_items(s: Session, rules: Rules) -> None:
    """Per-teacher evidence items (point_code NULL) follow the programme; used ones are kept."""
    existing = s.exec(select(EvidenceItem).where(EvidenceItem.point_code == None)).all()  # noqa: E711
    by_title = {e.title: e for e in existing}
    for seq, item in enumerate(rules.teacher_items, 1):
        row = by_title.pop(item["title"], None) or EvidenceItem(point_code=None, title=item["title"])
        row.seq, row.kinds = seq, ",".join(item.get("kinds", []))
        s.add(row)
    for leftover in by_title.values():
        used = s.exec(select(EvidenceFile.id).where(EvidenceFile.item_id == leftover.id)).first()
        if used is None:
            s.delete(leftover)
        else:
            leftover.seq = 1000 + leftover.seq     # kept for its files, listed after the programme's items
            s.add(leftover)


def document_title(doc: dict) -> str:
    name, to = doc.get("title") or doc["kind"], doc.get("to") or ""
    if doc["status"] == "已备案":
        return f"《{name}》报{to}备案" if to else f"《{name}》备案"
    if doc["status"] == "已提交":
        return f"《{name}》报送{to}" if to else f"《{name}》报送"
    return f"《{name}》完成"


def wanted_deadlines(rules: Rules, school_year: str, today: date) -> list[Deadline]:
    start = year_start(school_year, today, rules.cycle)
    out = [Deadline(title=document_title(d), due_on=place(d["due"], rules.cycle, start),
                    kind=DOCUMENT_KIND + d["kind"], note=FROM_PROGRAMME)
           for d in rules.documents if d.get("due")]
    out += [Deadline(title=d["title"], due_on=place(d["month_day"], rules.cycle, start), kind=d.get("kind", ""),
                     note=FROM_PROGRAMME) for d in rules.deadlines]
    return out


def install_deadlines(s: Session, rules: Rules, school_year: str, today: date | None = None) -> None:
    """The programme's deadlines for the school's year; completed ones stay as they are."""
    today = today or date.today()
    kept = set()
    for d in s.exec(select(Deadline)).all():
        if d.note != FROM_PROGRAMME:
            continue
        if d.done_on is None:
            s.delete(d)
        else:
            kept.add((d.title, d.due_on))
    for d in wanted_deadlines(rules, school_year, today):
        if (d.title, d.due_on) not in kept:
            s.add(d)
