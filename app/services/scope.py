"""Who the programme requires to train: staff types, retirement cut-offs, 内退, opting out.

Pure functions over a teacher and the rules; the snapshot asks them once per teacher and every
count (active, complete, rates) follows from the answer.
"""

from __future__ import annotations

from datetime import date

from app.models.teacher import (PARTICIPATION_OPTED_OUT, PARTICIPATION_VOLUNTEER, STATUS_EXEMPT,
                                STATUS_INTERNAL_RETIRED, STATUS_RETIRED, Teacher)
from app.services.programmes import Rules
from app.services.validation.id_number import birth_date


def retirement_date(t: Teacher) -> date | None:
    """An explicit retire date, else the statutory age (60 men, 55 women) from the ID number."""
    if t.retire_date:
        return t.retire_date
    if not t.id_number:
        return None
    born = birth_date(t.id_number)
    age = 60 if t.gender == "男" else 55
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return born.replace(year=born.year + age, day=28)


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:                                   # 29 February
        return d.replace(year=d.year + years, day=28)


def not_required_reason(t: Teacher, rules: Rules) -> str | None:
    """Why the programme does not require this teacher (before any voluntary choice), or None."""
    if t.status == STATUS_EXEMPT:
        return t.status_reason or "免修"
    if t.status == STATUS_RETIRED:
        return "已退休" + (f"（{t.status_reason}）" if t.status_reason else "")
    if t.status == STATUS_INTERNAL_RETIRED and rules.internal_retired_excluded:
        return "内退教师不参加"
    if rules.staff_types and t.staff_type not in rules.staff_types:
        return f"{t.staff_type}人员，本方案只要求{'、'.join(rules.staff_types)}教师参训（可自愿参加）"
    cutoff = rules.retired_before
    if cutoff:
        retire = retirement_date(t)
        if retire and retire.isoformat() <= cutoff:
            return f"{cutoff}前退休，可自愿参加"
    within = rules.retire_within
    if within:
        retire = retirement_date(t)
        ref = date.fromisoformat(within["reference_date"])
        if retire and retire < _add_years(ref, within["years"]):      # 不满N年: less than N whole years
            return f"距退休不满{within['years']}年（按{ref.isoformat()}计算），按方案不作培训要求"
    return None


def scope_reason(t: Teacher, rules: Rules) -> str | None:
    """None when the teacher is counted (required, or volunteering); else why not."""
    reason = not_required_reason(t, rules)
    if reason is not None:
        voluntary = reason.endswith("可自愿参加）") or reason.endswith("可自愿参加")
        if voluntary and t.participation == PARTICIPATION_VOLUNTEER and t.status not in (STATUS_EXEMPT,
                                                                                         STATUS_RETIRED):
            return None
        return reason
    if t.participation == PARTICIPATION_OPTED_OUT and rules.opt_out:
        return f"自愿不参加（须交{rules.opt_out['document']}）"
    return None
