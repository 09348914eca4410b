"""The programme in force, as stored in the school's database (one row)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from app.errors import NotFoundError
from app.models import Programme
from app.models.base import now
from app.services.cli_hints import INIT_HINT
from app.services.programmes.convert import from_v1
from app.services.programmes.document import FORMAT_VERSION, check_programme, programme_hash
from app.services.programmes.presets import load_preset, preset_hash, preset_ids
from app.services.programmes.rules import Rules


def programme_row(s: Session) -> Programme:
    row = s.exec(select(Programme)).first()
    if row is None:
        raise NotFoundError("尚未设置学校和项目方案。请先在软件中完成初始设置。", cli_hint=INIT_HINT)
    return row


def applied_doc(s: Session) -> dict[str, Any]:
    return json.loads(programme_row(s).rules_json)


def current_rules(s: Session) -> Rules:
    return Rules(applied_doc(s))


def install_programme(s: Session, preset_id: str) -> Programme:
    data = load_preset(preset_id)
    row = s.exec(select(Programme)).first()
    if row is None:
        row = Programme(preset_id=preset_id, name=data["name"], rules_json="")
    row.preset_id, row.name = preset_id, data["name"]
    row.source = (data.get("document") or {}).get("title", "")
    row.rules_json = json.dumps(data, ensure_ascii=False)
    row.adjusted, row.preset_hash, row.updated_at = False, preset_hash(preset_id), now()
    s.add(row)
    return row


def store_applied(s: Session, doc: dict[str, Any]) -> Programme:
    """Save a checked programme as the one in force; `adjusted` says whether it differs from its preset."""
    row = programme_row(s)
    doc = check_programme(doc)
    row.name = doc["name"]
    row.rules_json = json.dumps(doc, ensure_ascii=False)
    base = row.preset_id if row.preset_id in preset_ids() else None
    row.adjusted = base is None or programme_hash(doc) != programme_hash(load_preset(base))
    row.updated_at = now()
    s.add(row)
    return row


def upgrade_stored(s: Session) -> bool:
    """Rewrite a first-release programme (format_version 1) as format_version 2; True if it did.

    A copy the school never adjusted becomes the current preset (with its corrections); an
    adjusted copy is converted value by value and keeps the school's numbers.
    """
    row = s.exec(select(Programme)).first()
    if row is None:
        return False
    data = json.loads(row.rules_json)
    if data.get("format_version") == FORMAT_VERSION:
        return False
    if not row.adjusted and row.preset_id in preset_ids():
        install_programme(s, row.preset_id)
    else:
        doc = from_v1(data)
        if row.preset_id in preset_ids():
            doc["based_on"] = {"preset_id": row.preset_id, "preset_hash": preset_hash(row.preset_id)}
        row.rules_json = json.dumps(check_programme(doc), ensure_ascii=False)
        row.adjusted, row.updated_at = True, now()
        s.add(row)
    from app.models import School
    from app.services.programmes.apply import install_deadlines, install_teacher_items
    rules = Rules(json.loads(row.rules_json))
    install_teacher_items(s, rules)
    school = s.exec(select(School)).first()
    if school is not None:
        install_deadlines(s, rules, school.school_year)
    return True
