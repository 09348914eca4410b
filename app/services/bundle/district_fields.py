"""What a bundle carries for the district's side (issue 18; written down in docs/报送包-区县扩展.md).

* `Previous-Bundle-Code` (bag-info) and `previous_bundle_code` (bundle.json): the seal code of the
  school's last finished export, from its audit log, so the district links a resubmission to the
  version it replaces;
* `key_history`: the school's key creations and replacements (dates, fingerprints, reasons), so a
  district that refuses a bundle signed by an unregistered key can show what the school recorded;
* `district_programme`: the programme the district published (signed) and the school imported,
  named by hash, so the district sees whether the school still runs it unchanged;
* per teacher `retirement_year`: the rules "retired before" and "less than N years to retirement"
  need a birth date, which a masked ID number hides; the year is enough for the district to
  decide every teacher whose year does not straddle the rule's limit (the rest are listed).
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from app.models import AuditEntry, Teacher
from app.models.district import TrustedDistrict

KEY_ACTIONS = ("key-create", "key-replace")


def _detail(entry: AuditEntry) -> dict[str, Any]:
    try:
        data = json.loads(entry.detail or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def previous_bundle_code(s) -> str:
    """The seal code of the last finished export ('' when the school never exported)."""
    for entry in s.exec(select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id.desc())):
        code = _detail(entry).get("seal_code")
        if isinstance(code, str) and code:
            return code
    return ""


def exported_seal_codes(s) -> list[str]:
    """Every seal code this school ever exported, oldest first."""
    out = []
    for entry in s.exec(select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)):
        code = _detail(entry).get("seal_code")
        if isinstance(code, str) and code:
            out.append(code)
    return out


def key_history(s) -> list[dict[str, Any]]:
    out = []
    for entry in s.exec(select(AuditEntry).where(AuditEntry.action.in_(KEY_ACTIONS)).order_by(AuditEntry.id)):
        d = _detail(entry)
        row = {"at": entry.at.isoformat(timespec="seconds"), "action": entry.action}
        if entry.action == "key-create":
            row["fingerprint"] = d.get("fingerprint", "")
        else:
            row.update(old_fingerprint=d.get("old_fingerprint") or "", new_fingerprint=d.get("new_fingerprint", ""),
                       reason=d.get("reason", ""))
        out.append(row)
    return out


def district_programme(s) -> dict[str, Any] | None:
    row = s.exec(select(TrustedDistrict)).first()
    if row is None or not row.programme_hash:
        return None
    return {"district": row.name, "district_code": row.code, "fingerprint": row.fingerprint,
            "hash": row.programme_hash,
            "imported_at": row.programme_imported_at.isoformat(timespec="seconds") if row.programme_imported_at else ""}


def retirement_year(t: Teacher) -> int | None:
    from app.services.scope import retirement_date
    try:
        d = retirement_date(t)
    except (ValueError, IndexError):
        return None
    return d.year if d else None


def bundle_fields(ws) -> dict[str, Any]:
    """The bundle.json fields above that come from the whole database (read once per export)."""
    with ws.sessions() as s:
        return {"previous_bundle_code": previous_bundle_code(s), "key_history": key_history(s),
                "district_programme": district_programme(s)}
