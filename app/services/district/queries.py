"""Lists for the district window and the CLI: units and their latest bundle, versions, the intake log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import select

from app.errors import NotFoundError
from app.models.district import DistrictKey, DistrictUnit, IntakeEvent, ReceivedBundle
from app.services.district.office import require_office
from app.services.district.recheck import headline


def _loads(text: str, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


@dataclass(frozen=True)
class BundleRow:
    id: int
    seal_code: str
    unit_code: str
    school_name: str
    version: int
    current: bool
    exported_at: str
    received_at: datetime
    location: str
    copied: bool
    payload_bytes: int
    payload_files: int
    teacher_count: int
    masked: bool
    programme_name: str
    key_fingerprint: str
    previous_code: str
    paper_received_at: datetime | None
    receipt_at: datetime | None
    recheck_headline: str
    recheck_differences: int
    changes_summary: str
    warnings: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"id": self.id, "seal_code": self.seal_code, "school": self.unit_code, "name": self.school_name,
                "version": self.version, "current": self.current, "exported_at": self.exported_at,
                "received_at": self.received_at.isoformat(timespec="seconds"), "location": self.location,
                "copied": self.copied, "payload_bytes": self.payload_bytes, "payload_files": self.payload_files,
                "teachers": self.teacher_count, "personal_data_masked": self.masked,
                "programme": self.programme_name, "fingerprint": self.key_fingerprint,
                "previous_code": self.previous_code,
                "paper_received_at": self.paper_received_at.isoformat(timespec="seconds") if self.paper_received_at else None,
                "receipt_at": self.receipt_at.isoformat(timespec="seconds") if self.receipt_at else None,
                "recheck": self.recheck_headline, "recheck_differences": self.recheck_differences,
                "changes": self.changes_summary, "warnings": list(self.warnings)}


def bundle_row(b: ReceivedBundle) -> BundleRow:
    changes = _loads(b.changes_json, None)
    return BundleRow(b.id, b.seal_code, b.unit_code, b.school_name, b.version, b.current, b.exported_at, b.received_at,
                     b.location, b.copied, b.payload_bytes, b.payload_files, b.teacher_count, b.masked,
                     b.programme_name, b.key_fingerprint, b.previous_code, b.paper_received_at, b.receipt_at,
                     headline(_loads(b.recheck_json, {})), b.recheck_differences,
                     changes["summary"] if isinstance(changes, dict) else ("首次报送" if b.version == 1 else ""),
                     tuple(_loads(b.warnings_json, [])))


def list_bundles(ws, *, unit_code: str | None = None, current_only: bool = False) -> list[BundleRow]:
    with ws.sessions() as s:
        require_office(s)
        q = select(ReceivedBundle).order_by(ReceivedBundle.unit_code, ReceivedBundle.version)
        if unit_code:
            q = q.where(ReceivedBundle.unit_code == unit_code)
        if current_only:
            q = q.where(ReceivedBundle.current == True)  # noqa: E712
        return [bundle_row(b) for b in s.exec(q)]


@dataclass(frozen=True)
class BundleDetail:
    row: BundleRow
    recheck: dict[str, Any]
    changes: dict[str, Any] | None
    school_summary: dict[str, Any]


def bundle_detail(ws, bundle_id: int) -> BundleDetail:
    with ws.sessions() as s:
        require_office(s)
        b = s.get(ReceivedBundle, bundle_id)
        if b is None:
            raise NotFoundError("找不到这个报送包记录。")
        return BundleDetail(bundle_row(b), _loads(b.recheck_json, {}), _loads(b.changes_json, None),
                            _loads(b.school_summary_json, {}))


def find_bundle(ws, text: str) -> BundleRow:
    """A bundle by id, or by its seal code (the first groups are enough when unique)."""
    key = text.strip().upper()
    with ws.sessions() as s:
        require_office(s)
        if key.isdigit():
            b = s.get(ReceivedBundle, int(key))
            if b is not None:
                return bundle_row(b)
        found = [b for b in s.exec(select(ReceivedBundle)) if b.seal_code.startswith(key) and key]
        if len(found) == 1:
            return bundle_row(found[0])
        if not found:
            raise NotFoundError(f"没有封存码以“{text}”开头的报送包。")
        raise NotFoundError(f"有 {len(found)} 个报送包的封存码以“{text}”开头，请多输入几组。")


@dataclass(frozen=True)
class UnitStatus:
    code: str
    name: str
    kind: str
    fingerprint: str
    key_source: str
    bundles: int
    current: BundleRow | None

    def to_dict(self) -> dict:
        return {"school": self.code, "name": self.name, "kind": self.kind, "fingerprint": self.fingerprint,
                "key_source": self.key_source, "bundles": self.bundles,
                "current": self.current.to_dict() if self.current else None}


def list_units(ws) -> list[UnitStatus]:
    with ws.sessions() as s:
        require_office(s)
        units = list(s.exec(select(DistrictUnit).order_by(DistrictUnit.code)))
        keys = {k.unit_code: k for k in s.exec(select(DistrictKey).where(DistrictKey.retired_at == None)  # noqa: E711
                                                .order_by(DistrictKey.id))}
        bundles: dict[str, list[ReceivedBundle]] = {}
        for b in s.exec(select(ReceivedBundle)):
            bundles.setdefault(b.unit_code, []).append(b)
        out = []
        for u in units:
            mine = bundles.get(u.code, [])
            cur = next((b for b in mine if b.current), None)
            k = keys.get(u.code)
            out.append(UnitStatus(u.code, u.name, u.kind, k.fingerprint if k else "", k.source if k else "", len(mine),
                                  bundle_row(cur) if cur else None))
        return out


@dataclass(frozen=True)
class IntakeRow:
    id: int
    at: datetime
    path: str
    outcome: str
    unit_code: str
    school_name: str
    seal_code: str
    fingerprint: str
    message: str
    details: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"id": self.id, "at": self.at.isoformat(timespec="seconds"), "path": self.path, "outcome": self.outcome,
                "school": self.unit_code, "name": self.school_name, "seal_code": self.seal_code,
                "fingerprint": self.fingerprint, "message": self.message, "details": list(self.details)}


def intake_log(ws, limit: int = 500) -> list[IntakeRow]:
    with ws.sessions() as s:
        require_office(s)
        rows = s.exec(select(IntakeEvent).order_by(IntakeEvent.id.desc()).limit(limit))
        return [IntakeRow(e.id, e.at, e.path, e.outcome, e.unit_code, e.school_name, e.seal_code, e.fingerprint,
                          e.message, tuple(_loads(e.details_json, []))) for e in rows]
