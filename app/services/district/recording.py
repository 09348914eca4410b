"""Writing an accepted bundle into the district database: versions, evidence, persons, intake log.

One transaction per bundle: a bundle is recorded whole or not at all, and one that fails never
undoes the others of the same intake.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlmodel import select

from app.models.district import BundleEvidence, BundlePerson, IntakeEvent, ReceivedBundle
from app.services.district import bundle_doc, register
from app.services.district.changes import compare
from app.services.district.office import require_office
from app.services.validation import mask_id_number

OUTCOME_ACCEPTED = "接收"
OUTCOME_REFUSED = "拒收"
OUTCOME_PENDING = "待确认"
OUTCOME_DUPLICATE = "已接收过"


@dataclass
class AcceptedBag:
    path: str
    seal_code: str
    seal_digest: str
    unit_code: str
    school_name: str
    fingerprint: str
    public_key: str                      # the verified signer's "RW…" line
    texts: bundle_doc.BagTexts
    location: str
    copied: bool
    recheck: dict[str, Any]
    confirm_key: bool = False            # first bundle of a school, fingerprint confirmed against paper
    warnings: list[str] = field(default_factory=list)
    kept: str = ""                       # the records zip already written by the worker that checked it


def log_event(s, *, path: str, outcome: str, unit_code: str = "", school_name: str = "", seal_code: str = "",
              fingerprint: str = "", message: str = "", details: list[str] | None = None) -> IntakeEvent:
    ev = IntakeEvent(path=path, outcome=outcome, unit_code=unit_code, school_name=school_name, seal_code=seal_code,
                     fingerprint=fingerprint, message=message,
                     details_json=json.dumps(details or [], ensure_ascii=False))
    s.add(ev)
    return ev


def _id_digest(salt: str, full: str) -> str:
    return hmac.new(bytes.fromhex(salt), full.encode("ascii", "ignore"), hashlib.sha256).hexdigest()


def records_name(unit_code: str, seal_digest: str) -> str:
    """The kept texts' file name: one per bundle, fixed by its seal (the same bundle twice: the same file)."""
    safe = "".join(c for c in unit_code if c.isalnum() or c in "-_")[:24] or "school"
    return f"{safe}_{seal_digest[:16]}"


def record(ws, bag: AcceptedBag) -> tuple[ReceivedBundle, list[str]]:
    """Keep the texts, link the version, write the rows; returns (row, warnings)."""
    doc, info = bag.texts.doc, bag.texts.info
    folder = bag.kept or bundle_doc.keep(ws, bag.texts, records_name(bag.unit_code, bag.seal_digest))
    prev_code = (info.get("Previous-Bundle-Code") or str(doc.get("previous_bundle_code") or "")).strip()
    warnings = list(bag.warnings)
    with ws.sessions() as s:
        office = require_office(s)
        if bag.confirm_key:
            register.register_in_session(s, bag.unit_code, bag.fingerprint, bag.public_key,
                                         source=register.SOURCE_CONFIRMED, name=bag.school_name)
        else:
            key = register.current_key(s, bag.unit_code)
            if key is not None and not key.public_key and key.fingerprint == bag.fingerprint:
                key.public_key = bag.public_key          # from now on checked against the full key
                s.add(key)
        register.ensure_unit(s, bag.unit_code, bag.school_name)
        ours = list(s.exec(select(ReceivedBundle).where(ReceivedBundle.unit_code == bag.unit_code)))
        current = next((b for b in ours if b.current), None)
        linked = None
        if prev_code:
            linked = next((b for b in ours if b.seal_code == prev_code), None)
            if linked is None:
                warnings.append(f"学校注明的上一版本（封存码 {prev_code}）区县没有收到过；本版本照常登记。")
        elif current is not None:
            warnings.append(f"报送包没有注明上一版本（学校可能重装了软件或从备份恢复），按同校最新的第 {current.version} 版"
                            f"（{current.seal_code}）之后的版本登记。")
        if linked is None and current is not None:
            linked = current
        elif linked is not None and current is not None and linked.id != current.id:
            warnings.append(f"本版本是在第 {linked.version} 版（{linked.seal_code}）基础上导出的，"
                            f"而区县已收到更新的第 {current.version} 版（{current.seal_code}）。请与学校核实以哪一版为准。")
        exported = str(doc.get("exported_at") or "")
        newest = current is None or exported >= (current.exported_at or "")
        if not newest:
            warnings.append(f"本版本的导出时间（{exported[:16]}）早于区县已有的第 {current.version} 版，登记为历史版本。")
        changes = None
        if linked is not None:
            try:
                changes = compare(bundle_doc.load_kept(ws, linked.records_dir), doc)
            except Exception as exc:            # noqa: BLE001 - the old copy may be gone; still record
                warnings.append(f"无法与上一版本比较：{getattr(exc, 'user_message', type(exc).__name__)}")
        if newest and current is not None:
            current.current = False
            s.add(current)
        comp = doc.get("compliance") or {}
        row = ReceivedBundle(
            seal_code=bag.seal_code, seal_digest=bag.seal_digest, unit_code=bag.unit_code,
            school_name=bag.school_name, bag_name=info.get("Tisheng-Bag-Name", ""), location=bag.location,
            copied=bag.copied, records_dir=folder, exported_at=exported, key_fingerprint=bag.fingerprint,
            previous_code=prev_code, previous_id=linked.id if linked else None,
            version=max((b.version for b in ours), default=0) + 1, current=newest,
            payload_bytes=_int(info.get("Payload-Oxum", "0").split(".")[0]),
            payload_files=_int((info.get("Payload-Oxum", "0.0").split(".") + ["0"])[1]),
            teacher_count=len(doc.get("teachers") or []),
            masked=bool((doc.get("personal_data") or {}).get("masked", True)),
            programme_name=str((doc.get("programme") or {}).get("name", "")),
            programme_hash=info.get("Tisheng-Program-Hash", ""),
            allow_incomplete=bool(doc.get("allow_incomplete")),
            school_summary_json=json.dumps(comp.get("summary") or {}, ensure_ascii=False),
            recheck_json=json.dumps(bag.recheck, ensure_ascii=False),
            recheck_differences=int(bag.recheck.get("differences", 0) or 0),
            changes_json=json.dumps(changes, ensure_ascii=False) if changes else "",
            warnings_json=json.dumps(warnings, ensure_ascii=False))
        s.add(row)
        s.flush()
        _evidence_rows(s, row.id, doc)
        _person_rows(s, row.id, doc, office.id_salt)
        log_event(s, path=bag.path, outcome=OUTCOME_ACCEPTED, unit_code=bag.unit_code, school_name=bag.school_name,
                  seal_code=bag.seal_code, fingerprint=bag.fingerprint,
                  message=f"已接收（第 {row.version} 版）", details=warnings)
        s.commit()
        return row, warnings


def _int(text: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0


def _evidence_rows(s, bundle_id: int, doc: dict) -> None:
    names = {t.get("id"): t.get("name", "") for t in doc.get("teachers") or [] if isinstance(t, dict)}
    rows = []
    for e in doc.get("evidence") or []:
        if isinstance(e, dict) and isinstance(e.get("sha256"), str):
            tid = e.get("teacher_id") if isinstance(e.get("teacher_id"), int) else None
            rows.append({"bundle_id": bundle_id, "sha256": e["sha256"], "size": _int(e.get("size")),
                         "path": str(e.get("path") or e.get("original_name") or ""), "teacher_ref": tid,
                         "teacher_name": names.get(tid, ""), "point_code": str(e.get("point_code") or "")})
    if rows:                                   # one Core insert: a 1,000-teacher school has thousands of files
        s.execute(insert(BundleEvidence.__table__), rows)


def _person_rows(s, bundle_id: int, doc: dict, salt: str) -> None:
    rows = []
    for t in doc.get("teachers") or []:
        if not isinstance(t, dict):
            continue
        idn = str(t.get("id_number") or "")
        full = idn if idn and "*" not in idn else ""
        rows.append({"bundle_id": bundle_id, "teacher_ref": t.get("id") if isinstance(t.get("id"), int) else None,
                     "name": str(t.get("name", "")), "masked_id": mask_id_number(idn) if full else idn,
                     "id_digest": _id_digest(salt, full.upper()) if full and salt else ""})
    if rows:
        s.execute(insert(BundlePerson.__table__), rows)
