"""Plan documents (一划两案, semester plans) with their filing status and files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import select

from app.errors import NotFoundError, ValidationError
from app.models import PlanDocument, Programme
from app.models.base import now
from app.models.plan import PLAN_KINDS, PLAN_STATUSES
from app.services.blobs import ensure_blob, release_blobs, store_blob
from app.services.validation import normalize_text, parse_date


@dataclass(frozen=True)
class PlanRow:
    id: int
    kind: str
    title: str
    semester: str
    status: str
    submitted_on: date | None
    filed_on: date | None
    sha256: str | None
    original_name: str
    size: int
    note: str


def _row(p: PlanDocument) -> PlanRow:
    return PlanRow(p.id, p.kind, p.title, p.semester, p.status, p.submitted_on, p.filed_on, p.sha256,
                   p.original_name, p.size, p.note)


def plan_kinds(ws) -> tuple[str, ...]:
    """The usual document kinds, plus any the school's programme names (a district's own document)."""
    from app.services.programmes import current_rules
    with ws.sessions() as s:
        named = [d["kind"] for d in current_rules(s).documents] if s.exec(select(Programme.id)).first() else []
    return tuple(dict.fromkeys([*PLAN_KINDS[:-1], *named, PLAN_KINDS[-1]]))


def save_plan(ws, plan_id: int | None = None, *, file: Path | None = None, **values) -> PlanRow:
    kind = normalize_text(values.get("kind"))
    kinds = plan_kinds(ws)
    if kind not in kinds:
        raise ValidationError(f"文档类型“{kind}”应为：{'、'.join(kinds)}。", field="kind")
    status = normalize_text(values.get("status")) or "草稿"
    if status not in PLAN_STATUSES:
        raise ValidationError(f"状态“{status}”应为：{'、'.join(PLAN_STATUSES)}。", field="status")
    submitted = parse_date(values.get("submitted_on"), field="提交日期")
    filed = parse_date(values.get("filed_on"), field="备案日期")
    if status == "已备案" and filed is None:
        filed = date.today()
    if status in ("已提交", "已备案") and submitted is None:
        submitted = filed or date.today()
    if submitted and filed and filed < submitted:
        raise ValidationError("备案日期不能早于提交日期。", field="filed_on")
    title = normalize_text(values.get("title"), label="标题", field="title") or kind
    blob = None
    if file is not None:
        blob = store_blob(ws, Path(file))
    with ws.sessions() as s:
        if plan_id is None:
            p = PlanDocument(kind=kind, title=title)
        else:
            p = s.get(PlanDocument, plan_id)
            if p is None:
                raise NotFoundError("找不到该方案文档。")
        old_sha = p.sha256
        p.kind, p.title, p.status = kind, title, status
        p.semester = normalize_text(values.get("semester"), label="学期", field="semester")
        p.submitted_on, p.filed_on = submitted, filed
        p.note = normalize_text(values.get("note"), label="备注", field="note", multiline=True)
        if blob:
            ensure_blob(s, blob[0], blob[1])
            p.sha256, p.size, p.original_name = blob
        p.updated_at = now()
        s.add(p)
        s.commit()
        row = _row(p)
    if blob and old_sha and old_sha != row.sha256:
        release_blobs(ws, {old_sha})
    return row


def list_plans(ws) -> list[PlanRow]:
    with ws.sessions() as s:
        return [_row(p) for p in s.exec(select(PlanDocument).order_by(PlanDocument.kind, PlanDocument.id))]


def remove_plan(ws, plan_id: int) -> None:
    with ws.sessions() as s:
        p = s.get(PlanDocument, plan_id)
        if p is None:
            raise NotFoundError("找不到该方案文档。")
        sha = p.sha256
        s.delete(p)
        s.commit()
    if sha:
        release_blobs(ws, {sha})
