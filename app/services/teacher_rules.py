"""The rules one teacher's fields obey, shared by the teacher form, the services and the roster
import; plain Python (no database), so the command line's import loads no ORM for them."""

from __future__ import annotations

from app.errors import ValidationError
from app.services.validation import normalize_text, parse_date, validate_id_number, validate_phone
from app.services.validation.id_number import gender_of
from app.vocab import STAFF_TYPES, STATUS_ACTIVE, STATUS_EXEMPT, STATUSES

# As app.models.teacher (tests/services/test_teacher_rules.py checks they agree).
GENDERS = ("男", "女")
PARTICIPATION_VOLUNTEER = "自愿参加"
PARTICIPATION_OPTED_OUT = "不参加"

FIELDS = ("name", "gender", "id_number", "phone", "subject", "stage", "staff_type", "title",
          "staff_no", "teaching_point", "group", "status", "status_reason", "retire_date", "note", "participation")
FIELD_LABELS = {"name": "姓名", "gender": "性别", "id_number": "身份证号", "phone": "联系电话",
                "subject": "任教学科", "stage": "学段", "staff_type": "编制类型", "title": "职称",
                "staff_no": "工号", "teaching_point": "教学点", "group": "学科研修组",
                "status": "状态", "status_reason": "状态原因", "retire_date": "退休日期", "note": "备注",
                "participation": "参训意愿"}
PARTICIPATION_WORDS = {"": "", "按方案": "", "自愿参加": PARTICIPATION_VOLUNTEER, "参加": PARTICIPATION_VOLUNTEER,
                       "不参加": PARTICIPATION_OPTED_OUT, "自愿不参加": PARTICIPATION_OPTED_OUT}


def _text(values: dict, key: str) -> str:
    """One text field, trimmed; control and invisible characters refused naming the field."""
    return normalize_text(values.get(key), label=FIELD_LABELS[key], field=key, multiline=key == "note")


def validate_teacher_fields(values: dict, *, require_id: bool = True) -> dict:
    """Normalise and check one teacher's fields; raises ValidationError naming the field.

    Returns a dict of clean values (teaching_point / group stay names here).
    """
    out = {}
    name = normalize_text(values.get("name"), label="姓名", field="name")
    if not name:
        raise ValidationError("姓名不能为空。", field="name")
    if len(name) > 30 or any(c.isdigit() for c in name):
        raise ValidationError(f"姓名“{name}”不正确（不能含数字，最多30个字）。", field="name")
    out["name"] = name
    raw_id = values.get("id_number")
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        if require_id:
            raise ValidationError("身份证号不能为空。", field="id_number")
        out["id_number"] = None
    else:
        out["id_number"] = validate_id_number(raw_id)
    gender = _text(values, "gender")
    if gender and gender not in GENDERS:
        raise ValidationError(f"性别“{gender}”应为 男 或 女。", field="gender")
    out["gender"] = gender_for_id(gender, out["id_number"])
    out["phone"] = validate_phone(values.get("phone"))
    staff_type = _text(values, "staff_type") or "在编"
    if staff_type not in STAFF_TYPES:
        raise ValidationError(f"编制类型“{staff_type}”应为：{'、'.join(STAFF_TYPES)}。", field="staff_type")
    out["staff_type"] = staff_type
    status = _text(values, "status") or STATUS_ACTIVE
    if status not in STATUSES:
        raise ValidationError(f"状态“{status}”应为：{'、'.join(STATUSES)}。", field="status")
    out["status"] = status
    out["status_reason"] = _text(values, "status_reason")
    check_exempt_reason(status, out["status_reason"])
    staff_no = _text(values, "staff_no")
    if staff_no and len(staff_no) > 20:
        raise ValidationError(f"工号“{staff_no}”过长（最多20位）。", field="staff_no")
    out["staff_no"] = staff_no or None
    out["retire_date"] = parse_date(values.get("retire_date"), field="退休日期")
    for key in ("subject", "stage", "title", "teaching_point", "group", "note"):
        out[key] = _text(values, key)
    word = normalize_text(values.get("participation"), label="参训意愿", field="participation")
    if word not in PARTICIPATION_WORDS:
        raise ValidationError(f"参训意愿“{word}”应为：按方案、自愿参加、不参加。", field="participation")
    out["participation"] = PARTICIPATION_WORDS[word]
    return out


def gender_for_id(gender: str, id_number: str | None) -> str:
    """The 17th digit of an ID number gives the gender: a different one typed is an error."""
    if not id_number:
        return gender
    derived = gender_of(id_number)
    if gender and gender != derived:
        raise ValidationError(f"性别“{gender}”与身份证号（第17位表示{derived}）不一致。", field="gender")
    return derived


def check_exempt_reason(status: str, reason: str) -> None:
    if status == STATUS_EXEMPT and not reason:
        raise ValidationError("设为免修时必须写明原因（如：距退休不满5年、已签保证书）。", field="status_reason")
