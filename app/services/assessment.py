"""校本考核: grading evidence items, 一对一帮扶 and excellent cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from app.errors import NotFoundError, RuleViolation, ValidationError
from app.models import Assessment, ExcellentCase, SupportRecord, Teacher
from app.services import grading
from app.services.evidence import find_item
from app.services.programmes import current_rules
from app.services.snapshot import load
from app.services.teachers import resolve_in
from app.services.validation import normalize_text, parse_date


def _teacher(s, ref):
    t = s.get(Teacher, ref) if isinstance(ref, int) else resolve_in(s, ref)
    if t is None:
        raise NotFoundError("找不到该教师。")
    return t


@dataclass(frozen=True)
class AssessResult:
    teacher: str
    point_code: str | None
    item: str
    grade: str
    round: int
    point_result: str
    teacher_result: str


def assess(ws, teacher_ref, code: str, item: str, grade: str, *, reviewer: str = "", comment: str = "",
           on_date=None) -> AssessResult:
    """Grade one evidence item; the point and teacher results follow by the rule."""
    with ws.sessions() as s:
        rules = current_rules(s)
        grade = normalize_text(grade)
        if grade not in rules.scale:
            raise ValidationError(f"等级“{grade}”不在本校考核等级中（{'/'.join(rules.scale)}）。", field="grade")
        t = _teacher(s, teacher_ref)
        info = find_item(s, t, code, item)
        supports = s.exec(select(SupportRecord).where(SupportRecord.teacher_id == t.id)).all()
        rnd = 1 + sum(1 for r in supports if r.point_code in (None, info.point_code))
        row = s.exec(select(Assessment).where(Assessment.teacher_id == t.id, Assessment.item_id == info.id,
                                              Assessment.round == rnd)).first()
        if row is None:
            row = Assessment(teacher_id=t.id, point_code=info.point_code, item_id=info.id, round=rnd,
                             grade=grade, on_date=date.today())
        row.grade, row.reviewer = grade, normalize_text(reviewer, label="评审人", field="reviewer")
        row.comment = normalize_text(comment, label="评语", field="comment", multiline=True)
        row.on_date = parse_date(on_date, field="评定日期") or date.today()
        s.add(row)
        s.commit()
        view = load(s).by_id(t.id)
        point = view.point_results.get(info.point_code, "") if info.point_code else ""
        return AssessResult(t.name, info.point_code, info.title, grade, rnd, point, view.result)


@dataclass(frozen=True)
class SupportRow:
    id: int
    teacher_id: int
    teacher: str
    point_code: str | None
    helper: str
    plan: str
    opened_on: date
    reassess_on: date | None
    closed_on: date | None
    new_result: str

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


def _support_row(r: SupportRecord, name: str) -> SupportRow:
    return SupportRow(r.id, r.teacher_id, name, r.point_code, r.helper, r.plan, r.opened_on,
                      r.reassess_on, r.closed_on, r.new_result)


def open_support(ws, teacher_ref, *, helper: str, plan: str = "", point_code: str | None = None,
                 reassess_on=None, opened_on=None) -> SupportRow:
    helper = normalize_text(helper, label="帮扶人", field="helper")
    if not helper:
        raise ValidationError("请填写帮扶人。", field="helper")
    with ws.sessions() as s:
        t = _teacher(s, teacher_ref)
        if any(r.closed_on is None for r in s.exec(select(SupportRecord).where(SupportRecord.teacher_id == t.id))):
            raise RuleViolation(f"{t.name} 已有一条未结束的帮扶记录，请先完成复评并结束它。")
        code = normalize_text(point_code).upper() or None
        r = SupportRecord(teacher_id=t.id, point_code=code, helper=helper,
                          plan=normalize_text(plan, label="帮扶计划", field="plan", multiline=True),
                          opened_on=parse_date(opened_on) or date.today(),
                          reassess_on=parse_date(reassess_on, field="复评日期"))
        s.add(r)
        s.commit()
        return _support_row(r, t.name)


def close_support(ws, teacher_ref, *, new_result: str | None = None, closed_on=None) -> SupportRow:
    """Close the open 帮扶 after re-assessment. The result comes from the re-graded items when
    they exist; an explicit result is accepted only when it is a passing grade on the scale."""
    with ws.sessions() as s:
        rules = current_rules(s)
        t = _teacher(s, teacher_ref)
        r = s.exec(select(SupportRecord).where(SupportRecord.teacher_id == t.id,
                                               SupportRecord.closed_on == None)).first()  # noqa: E711
        if r is None:
            raise NotFoundError(f"{t.name} 没有未结束的帮扶记录。")
        derived = load(s).by_id(t.id).result
        this_round = len(s.exec(select(SupportRecord.id).where(SupportRecord.teacher_id == t.id)).all()) + 1
        regraded = s.exec(select(Assessment.id).where(Assessment.teacher_id == t.id,
                                                      Assessment.round == this_round)).first() is not None
        result = normalize_text(new_result)
        if result and result not in rules.scale:
            raise ValidationError(f"复评结果“{result}”不在本校考核等级中（{'/'.join(rules.scale)}）。", field="result")
        if not result:
            if not regraded or derived not in rules.scale:
                raise RuleViolation(f"{t.name} 尚未完成复评（当前结果：{derived}）。"
                                    "请先对帮扶后的证据重新评定等级，或在结束时填写复评结果。")
            result = derived
        r.new_result = result
        r.closed_on = parse_date(closed_on) or date.today()
        s.add(r)
        s.commit()
        return _support_row(r, t.name)


def list_supports(ws) -> list[SupportRow]:
    with ws.sessions() as s:
        names = {t.id: t.name for t in s.exec(select(Teacher))}
        return [_support_row(r, names.get(r.teacher_id, "")) for r in
                s.exec(select(SupportRecord).order_by(SupportRecord.opened_on, SupportRecord.id))]


@dataclass(frozen=True)
class CaseRow:
    id: int
    teacher_id: int
    teacher: str
    point_code: str | None
    title: str
    marked_on: date


def mark_case(ws, teacher_ref, code: str | None, *, title: str = "", note: str = "") -> CaseRow:
    with ws.sessions() as s:
        t = _teacher(s, teacher_ref)
        view = load(s).by_id(t.id)
        if view is None or view.exempt_reason:
            raise RuleViolation(f"{t.name} 不参加本次考核，不能评为优秀案例。")
        code = normalize_text(code).upper() or None
        if code and code not in view.point_results:
            raise RuleViolation(f"{t.name} 没有选择能力点 {code}。")
        result = view.point_results.get(code) if code else view.result
        if not grading.is_pass(result, view_pass(s)):
            raise RuleViolation(f"{t.name} 的{code or ''}考核结果为“{result}”，只有考核合格的成果才能作为优秀案例。")
        if s.exec(select(ExcellentCase).where(ExcellentCase.teacher_id == t.id,
                                              ExcellentCase.point_code == code)).first():
            raise RuleViolation(f"{t.name} 的{code or ''}已标记为优秀案例。")
        c = ExcellentCase(teacher_id=t.id, point_code=code, title=normalize_text(title, label="案例标题", field="title") or
                          (f"{t.name} {code} 优秀案例" if code else f"{t.name} 优秀案例"),
                          note=normalize_text(note, label="备注", field="note", multiline=True), marked_on=date.today())
        s.add(c)
        s.commit()
        return CaseRow(c.id, t.id, t.name, c.point_code, c.title, c.marked_on)


def view_pass(s) -> list[str]:
    return list(current_rules(s).grading["pass"])


def unmark_case(ws, case_id: int) -> None:
    with ws.sessions() as s:
        c = s.get(ExcellentCase, case_id)
        if c is None:
            raise NotFoundError("找不到该优秀案例。")
        s.delete(c)
        s.commit()


def list_cases(ws) -> list[CaseRow]:
    with ws.sessions() as s:
        names = {t.id: t.name for t in s.exec(select(Teacher))}
        return [CaseRow(c.id, c.teacher_id, names.get(c.teacher_id, ""), c.point_code, c.title, c.marked_on)
                for c in s.exec(select(ExcellentCase).order_by(ExcellentCase.id))]
