"""The district's key register: which key signs each school's bundles.

Trust comes from the stamped paper 密钥登记表, never from the key travelling inside a bundle.
A fingerprint is typed from the paper (8 groups of 4 hex characters) and checked as it is
typed: a character that cannot occur is named with its group (O for 0, I or L for 1); a public
key file (.pub) may be imported instead. A school that replaced its key is registered again
with `replace=True`: the old key is kept, marked retired, and bundles it signs are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from app.errors import RuleViolation, ValidationError
from app.models.base import now
from app.models.district import DistrictKey, DistrictUnit
from app.services.district.office import require_office
from app.services.seal import group_hex
from app.vocab import UNIT_KINDS

_HEX = set("0123456789ABCDEF")
_LOOKALIKE = {"O": "0", "Q": "0", "I": "1", "L": "1", "J": "1", "S": "5", "Z": "2", "G": "6"}
_SEPARATORS = re.compile(r"[\s\-－—_:：,，.。]")
_UNIT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")
SOURCE_TYPED = "纸质登记表（手工输入指纹）"
SOURCE_FILE = "公钥文件"
SOURCE_CONFIRMED = "首次报送时与纸质登记表核对"


@dataclass(frozen=True)
class TypedFingerprint:
    """How far a typed fingerprint is: the grouped text so far, whether complete, what is wrong."""

    text: str
    complete: bool
    problem: str
    typed: int                       # hex characters typed so far

    @property
    def ok(self) -> bool:
        return self.complete and not self.problem


def check_typed(text: str) -> TypedFingerprint:
    """Check a fingerprint while it is typed (or scanned): spaces and dashes between groups are optional."""
    raw = _SEPARATORS.sub("", text or "").upper()
    for i, ch in enumerate(raw):
        if ch not in _HEX:
            group = i // 4 + 1
            hint = _LOOKALIKE.get(ch)
            problem = (f"第 {group} 组中的“{ch}”不会出现在指纹中（指纹只含数字 0–9 和字母 A–F）"
                       + (f"，应该是数字 {hint} 吧？" if hint else "。"))
            return TypedFingerprint(group_hex(raw[:i]), False, problem, i)
    if len(raw) > 32:
        return TypedFingerprint(group_hex(raw[:32]), False,
                                f"指纹是 32 位（8 组，每组 4 位），已输入 {len(raw)} 位，多了 {len(raw) - 32} 位。", len(raw))
    return TypedFingerprint(group_hex(raw), len(raw) == 32, "", len(raw))


def parse_fingerprint(text: str) -> str:
    """A typed fingerprint in its grouped form, or a ValidationError saying what is wrong."""
    check = check_typed(text)
    if check.problem:
        raise ValidationError(f"公钥指纹“{text.strip()}”有误：{check.problem}", field="fingerprint")
    if not check.complete:
        raise ValidationError(f"公钥指纹“{text.strip()}”不完整：应为 32 位（8 组，每组 4 位），只输入了 {check.typed} 位"
                              f"（{check.typed // 4} 组多 {check.typed % 4} 位）。", field="fingerprint")
    return check.text


def check_unit_code(code: str) -> str:
    code = (code or "").strip()
    if not _UNIT_CODE.match(code):
        raise ValidationError(f"学校代码“{code}”只能由字母、数字、- 和 _ 组成（最多24位）。", field="school")
    return code


@dataclass(frozen=True)
class KeyRow:
    id: int
    unit_code: str
    unit_name: str
    unit_kind: str
    fingerprint: str
    has_public_key: bool
    source: str
    registered_at: datetime
    retired_at: datetime | None
    note: str

    @property
    def current(self) -> bool:
        return self.retired_at is None

    def to_dict(self) -> dict:
        return {"id": self.id, "school": self.unit_code, "name": self.unit_name, "kind": self.unit_kind,
                "fingerprint": self.fingerprint, "has_public_key": self.has_public_key, "source": self.source,
                "registered_at": self.registered_at.isoformat(timespec="seconds"),
                "retired_at": self.retired_at.isoformat(timespec="seconds") if self.retired_at else None,
                "current": self.current, "note": self.note}


def _row(k: DistrictKey, unit: DistrictUnit | None) -> KeyRow:
    return KeyRow(k.id, k.unit_code, unit.name if unit else "", unit.kind if unit else "学校", k.fingerprint,
                  bool(k.public_key), k.source, k.registered_at, k.retired_at, k.note)


def current_key(s, unit_code: str) -> DistrictKey | None:
    return s.exec(select(DistrictKey).where(DistrictKey.unit_code == unit_code, DistrictKey.retired_at == None)  # noqa: E711
                  .order_by(DistrictKey.id.desc())).first()


def retired_keys(s, unit_code: str) -> list[DistrictKey]:
    return list(s.exec(select(DistrictKey).where(DistrictKey.unit_code == unit_code,
                                                 DistrictKey.retired_at != None)))  # noqa: E711


def ensure_unit(s, code: str, name: str = "", kind: str | None = None) -> DistrictUnit:
    unit = s.exec(select(DistrictUnit).where(DistrictUnit.code == code)).first()
    if unit is None:
        unit = DistrictUnit(code=code, name=name.strip(), kind=kind or "学校")
        s.add(unit)
    else:
        if name.strip() and not unit.name:
            unit.name = name.strip()
        if kind:
            unit.kind = kind
        s.add(unit)
    return unit


def register_in_session(s, unit_code: str, fingerprint: str, public_key: str = "", *, source: str,
                        name: str = "", kind: str | None = None, replace: bool = False, note: str = "") -> tuple[DistrictKey, str]:
    """Add (or confirm) a key inside an open session; returns (row, what happened in Chinese)."""
    unit = ensure_unit(s, unit_code, name, kind)
    old = current_key(s, unit_code)
    if old is not None and old.fingerprint == fingerprint:
        if public_key and not old.public_key:
            old.public_key = public_key
            s.add(old)
            return old, "已登记过该指纹，已补充公钥"
        return old, "已登记过该指纹"
    if old is not None and not replace:
        raise RuleViolation(
            f"{unit.name or unit_code}（{unit_code}）已登记公钥指纹 {old.fingerprint}"
            f"（{old.registered_at:%Y-%m-%d} 登记，来源：{old.source}），与这次的 {fingerprint} 不同。"
            "如学校确实更换了密钥（换电脑、重装系统、密钥损坏），请凭学校盖章的新密钥登记表重新登记"
            "（勾选“更换密钥”），旧指纹将停用，之后由旧密钥签名的报送包一律拒收。", cli_hint="更换密钥请加 --replace。")
    retired_note = ""
    if old is not None:
        old.retired_at = now()
        s.add(old)
        retired_note = f"，原指纹 {old.fingerprint} 已停用"
    row = DistrictKey(unit_code=unit_code, fingerprint=fingerprint, public_key=public_key, source=source, note=note)
    s.add(row)
    return row, "已登记" + retired_note


def add_key(ws, unit_code: str, *, fingerprint: str | None = None, key_text: str | None = None, name: str = "",
            kind: str | None = None, replace: bool = False, note: str = "") -> tuple[KeyRow, str]:
    """Register a school's key from a typed fingerprint or a public-key file (or both, which must agree)."""
    from app.services.bundle.verify import RegisteredKey
    unit_code = check_unit_code(unit_code)
    if kind is not None and kind not in UNIT_KINDS:
        raise ValidationError(f"类型“{kind}”无效，应为：{'、'.join(UNIT_KINDS)}。", field="kind")
    if not fingerprint and not key_text:
        raise ValidationError("请给出学校密钥登记表上的公钥指纹，或学校交来的公钥文件（.pub）。", field="fingerprint")
    typed = parse_fingerprint(fingerprint) if fingerprint else None
    public_key, source = "", SOURCE_TYPED
    if key_text:
        parsed = RegisteredKey.parse(key_text)
        if parsed.public_key is None:
            raise ValidationError(f"“{key_text}”不是公钥文件；要按指纹登记，请用“指纹”一栏。", field="key")
        if typed and typed != parsed.fingerprint:
            raise ValidationError(f"公钥文件的指纹是 {parsed.fingerprint}，与输入的 {typed} 不一致。"
                                  "请核对纸质登记表：文件可能不是这所学校的，或指纹抄错了。", field="fingerprint")
        typed, public_key = parsed.fingerprint, parsed.public_key.b64
        source = SOURCE_FILE if not fingerprint else SOURCE_FILE + "，并与纸质登记表核对"
    with ws.sessions() as s:
        require_office(s)
        row, what = register_in_session(s, unit_code, typed, public_key, source=source, name=name, kind=kind,
                                        replace=replace, note=note)
        s.commit()
        unit = s.exec(select(DistrictUnit).where(DistrictUnit.code == unit_code)).first()
        return _row(row, unit), what


def list_keys(ws, *, include_retired: bool = True) -> list[KeyRow]:
    with ws.sessions() as s:
        require_office(s)
        units = {u.code: u for u in s.exec(select(DistrictUnit))}
        q = select(DistrictKey).order_by(DistrictKey.unit_code, DistrictKey.id)
        if not include_retired:
            q = q.where(DistrictKey.retired_at == None)  # noqa: E711
        return [_row(k, units.get(k.unit_code)) for k in s.exec(q)]


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str


def set_unit(ws, code: str, *, name: str | None = None, kind: str | None = None) -> UnitRow:
    """Name a school or mark it as a teaching point (for the county view)."""
    code = check_unit_code(code)
    if kind is not None and kind not in UNIT_KINDS:
        raise ValidationError(f"类型“{kind}”无效，应为：{'、'.join(UNIT_KINDS)}。", field="kind")
    with ws.sessions() as s:
        require_office(s)
        unit = ensure_unit(s, code, "", kind)
        if name is not None and name.strip():
            unit.name = name.strip()
        s.add(unit)
        s.commit()
        return UnitRow(unit.code, unit.name, unit.kind)
