"""A school (or district) reads and adjusts its programme: show, set, reset, export, import.

Every change is checked as a whole programme before it is saved (nothing is saved when a value
is wrong), recorded with who and when, and shown as a difference from the preset it came from.
"""

from __future__ import annotations

import copy
import getpass
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import select

from app.errors import NotFoundError, ValidationError
from app.models import ProgrammeChange, School
from app.services.fileio import atomic_write_bytes, os_errors
from app.services.programmes.apply import install_deadlines, install_teacher_items
from app.services.programmes.describe import describe
from app.services.programmes.document import check_programme, programme_hash
from app.services.programmes.presets import load_preset, preset_hash, preset_ids
from app.services.programmes.rule_views import RuleView, _text, rule_views  # noqa: F401 (used from here too)
from app.services.programmes.rules import Rules
from app.services.programmes.schema import ALWAYS_ON, BY_KEY, GROUPS, ORIGINS, spec
from app.services.programmes.store import applied_doc, programme_row, store_applied

MAX_FILE_BYTES = 2_000_000
_ON = {"on", "启用", "开启", "true"}
_OFF = {"off", "停用", "关闭", "false"}
_REMOVE = ("删除", "remove")


@dataclass(frozen=True)
class ChangeRow:
    at: str
    by: str
    key: str
    label: str
    before: str
    after: str
    note: str


@dataclass(frozen=True)
class ProgrammeView:
    id: str
    name: str
    document_title: str
    document_file: str
    preset_id: str
    preset_name: str
    applied_hash: str
    preset_hash: str
    adjusted: bool
    rules: tuple[RuleView, ...]
    notes: tuple[str, ...]
    changes: tuple[ChangeRow, ...]

    @property
    def differences(self) -> list[RuleView]:
        return [r for r in self.rules if r.changed]

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("id", "name", "document_title", "document_file", "preset_id",
                                           "preset_name", "applied_hash", "preset_hash", "adjusted")}
        d["notes"] = list(self.notes)
        d["rules"] = [r.to_dict() for r in self.rules]
        d["differences"] = [r.key for r in self.differences]
        d["changes"] = [c.__dict__ for c in self.changes]
        return d


def operator_name(by: str | None = None) -> str:
    if by and by.strip():
        return " ".join(by.split())[:40]
    try:
        return getpass.getuser()
    except Exception:                        # no login name (service account, odd environment)
        return ""


def _preset_for(row) -> dict[str, Any] | None:
    return load_preset(row.preset_id) if row.preset_id in preset_ids() else None


def show_programme(ws) -> ProgrammeView:
    with ws.sessions() as s:
        row = programme_row(s)
        doc = applied_doc(s)
        preset = _preset_for(row)
        changes = tuple(_change_row(c) for c in s.exec(select(ProgrammeChange).order_by(ProgrammeChange.id)))
    document = doc.get("document") or {}
    return ProgrammeView(doc["id"], doc["name"], document.get("title", ""), document.get("file", ""),
                         row.preset_id, preset["name"] if preset else "", programme_hash(doc),
                         programme_hash(preset) if preset else "", bool(preset is None or row.adjusted),
                         rule_views(doc, preset), tuple(doc.get("notes") or []), changes)


def _change_row(c: ProgrammeChange) -> ChangeRow:
    label = BY_KEY[c.key].label if c.key in BY_KEY else "整个项目方案"

    def shown(raw: str) -> str:
        if not raw:
            return "（无）"
        rule = json.loads(raw)
        return _text(c.key, rule) if c.key in BY_KEY and isinstance(rule, dict) and "value" in rule else raw[:200]
    return ChangeRow(c.at.isoformat(sep=" "), c.by, c.key, label, shown(c.before_json), shown(c.after_json), c.note)


def parse_value(raw: Any) -> Any:
    """A value typed on the command line: JSON if it reads as JSON, otherwise the text itself."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if "," in text and not text.startswith(("[", "{", '"')):
        return [parse_value(p) for p in text.replace("，", ",").split(",") if p.strip()]
    try:
        return json.loads(text)
    except ValueError:
        return text


def _split(path: str) -> tuple[str, list[str]]:
    parts = path.strip().split(".")
    for i in range(len(parts), 0, -1):
        key = ".".join(parts[:i])
        if key in BY_KEY:
            return key, parts[i:]
    spec(path.strip())                            # raises the Chinese "no such rule" message
    raise AssertionError


def _set_in(value: Any, sub: list[str], new: Any, key: str) -> Any:
    if not sub:
        return new
    head, rest = sub[0], sub[1:]
    if isinstance(value, list):
        ident = BY_KEY[key].element_id
        for i, el in enumerate(value):
            if isinstance(el, dict) and str(el.get(ident)) == head:
                if rest:
                    value[i] = _set_in(el, rest, new, key)
                elif new in _REMOVE:
                    del value[i]
                elif isinstance(new, dict):
                    value[i] = {**el, **new}
                else:
                    raise ValidationError(f"请给出“{head}”的某一项，例如 {key}.{head}.min 30。")
                return value
        if rest:
            raise NotFoundError(f"“{BY_KEY[key].label}”中没有“{head}”。")
        if isinstance(new, dict):
            value.append({ident: head, **new})
            return value
        raise ValidationError(f"要在“{BY_KEY[key].label}”中新增“{head}”，请给出一组设置（JSON 对象）。")
    if isinstance(value, dict):
        value[head] = _set_in(value.get(head), rest, new, key) if rest else new
        return value
    raise ValidationError(f"“{BY_KEY[key].label}”没有下级设置“{head}”。")


def _record(s, by: str, key: str, before: dict | None, after: dict | None, note: str = "") -> None:
    dump = (lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True) if r is not None else "")
    s.add(ProgrammeChange(by=by, key=key, before_json=dump(before), after_json=dump(after), note=note))


def _save(s, doc: dict[str, Any]) -> None:
    row = store_applied(s, doc)
    rules = Rules(json.loads(row.rules_json))
    install_teacher_items(s, rules)
    school = s.exec(select(School)).first()
    if school is not None:
        install_deadlines(s, rules, school.school_year)


def set_rule(ws, path: str, raw_value: Any, *, by: str | None = None, source: str = "", note: str = "") -> RuleView:
    """`tisheng programme set KEY VALUE`: a value, a part of one (KEY.部分), or on/off."""
    key, sub = _split(path)
    label = BY_KEY[key].label
    with ws.sessions() as s:
        row = programme_row(s)
        doc = applied_doc(s)
        before = copy.deepcopy(doc["rules"].get(key))
        rule = copy.deepcopy(before) if before else None
        word = str(raw_value).strip().lower() if isinstance(raw_value, str) else None
        if not sub and word in _ON | _OFF:
            if key in ALWAYS_ON and word in _OFF:
                raise ValidationError(f"“{label}”是方案的基本结构，不能停用（可以修改它的值）。")
            if rule is None:
                preset = _preset_for(row)
                if preset is None or key not in preset["rules"]:
                    raise ValidationError(f"本方案没有“{label}”这条规则；请用 set {key} 值 给出它的值。")
                rule = copy.deepcopy(preset["rules"][key])
            rule["on"] = word in _ON
        else:
            value = parse_value(raw_value)
            if rule is None:
                if sub:
                    raise ValidationError(f"本方案没有“{label}”这条规则；请先给出整条规则的值。")
                rule = {"value": None, "on": True, "origin": "school", "source": source or "学校补充的规则"}
            rule["value"] = _set_in(copy.deepcopy(rule["value"]), sub, value, key)
            rule["on"] = True
            if source:
                rule["source"] = source
        if note:
            rule["note"] = note
        doc["rules"][key] = rule
        doc = check_programme(doc)                  # Chinese error naming the rule; nothing saved
        if doc["rules"][key] != before:             # saving what is already there changes nothing
            _record(s, operator_name(by), key, before, doc["rules"][key], note)
            _save(s, doc)
            s.commit()
    return next(v for v in show_programme(ws).rules if v.key == key)


def reset_rule(ws, key: str | None = None, *, by: str | None = None) -> ProgrammeView:
    """Back to the preset: one rule, or (key None) the whole programme."""
    with ws.sessions() as s:
        row = programme_row(s)
        preset = _preset_for(row)
        if preset is None:
            raise NotFoundError("本校的项目方案不是由内置方案而来（例如区县下发的方案文件），无法恢复为内置方案。")
        doc = applied_doc(s)
        if key is None:
            _record(s, operator_name(by), "*", None, None, f"恢复为内置方案“{preset['name']}”")
            doc = preset
        else:
            key, _ = _split(key)
            before = doc["rules"].get(key)
            if key in preset["rules"]:
                doc["rules"][key] = copy.deepcopy(preset["rules"][key])
            else:
                doc["rules"].pop(key, None)
            _record(s, operator_name(by), key, before, doc["rules"].get(key), "恢复为内置方案的值")
        _save(s, check_programme(doc))
        s.commit()
    return show_programme(ws)


def export_programme(ws, path: Path) -> str:
    """Write the programme in force as a file another school (or the district) can import; its hash."""
    with ws.sessions() as s:
        row = programme_row(s)
        doc = applied_doc(s)
    if row.preset_id in preset_ids():
        doc["based_on"] = {"preset_id": row.preset_id, "preset_hash": preset_hash(row.preset_id)}
    data = (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    with os_errors(path, "写入项目方案文件"):
        atomic_write_bytes(Path(path), data)
    return programme_hash(doc)


def read_programme_file(path: Path) -> dict[str, Any]:
    path = Path(path)
    with os_errors(path, "读取项目方案文件"):
        if not path.is_file():
            raise NotFoundError(f"找不到项目方案文件“{path}”。")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValidationError(f"“{path.name}”太大，不像项目方案文件（最大 2 MB）。")
        raw = path.read_bytes()
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError(f"“{path.name}”不是有效的项目方案文件（无法按 JSON 读取）。") from None
    try:
        return check_programme(doc)
    except ValidationError as exc:
        raise ValidationError(f"“{path.name}”中的项目方案有误，未导入：{exc.user_message}") from None


def import_programme(ws, path: Path, *, by: str | None = None) -> ProgrammeView:
    """Replace the programme in force by the one in a file (checked first; nothing changes if it is wrong)."""
    doc = read_programme_file(path)
    base = (doc.get("based_on") or {}).get("preset_id") or doc["id"]
    with ws.sessions() as s:
        row = programme_row(s)
        row.preset_id = base if base in preset_ids() else doc["id"]
        if base in preset_ids():
            row.preset_hash = preset_hash(base)
        _record(s, operator_name(by), "*", None, None,
                f"从文件“{Path(path).name}”导入（方案哈希 {programme_hash(doc)[:16]}）")
        _save(s, doc)
        s.commit()
    return show_programme(ws)
