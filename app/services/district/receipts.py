"""Receipts (回执): the district's signed word that it received and verified a bundle.

A receipt is a small UTF-8 JSON file with a minisign signature beside it, made with the district's
own key (the same key machinery as a school's), plus the district's public key file, so anyone can
check it without this software:

    minisign -Vm 回执_<学校代码>_<封存码前4组>.json -p 区县公钥.pub

The school imports it with `tisheng receipt import` (app.services.district_link), which checks it
against the district key the school registered once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from app.errors import NotFoundError
from app.models.base import now
from app.models.district import ReceivedBundle
from app.services import keys
from app.services.bundle import layout as L
from app.services.district.office import require_office
from app.services.district.recheck import headline
from app.services.fileio import atomic_write_bytes, os_errors

FORMAT = "tisheng-receipt"
FORMAT_VERSION = 1
PUB_NAME = "区县公钥.pub"
SIG_SUFFIX = ".minisig"


@dataclass(frozen=True)
class ReceiptFile:
    path: Path
    signature: Path
    public_key: Path
    seal_code: str
    unit_code: str

    def to_dict(self) -> dict:
        return {"file": str(self.path), "signature": str(self.signature), "public_key": str(self.public_key),
                "seal_code": self.seal_code, "school": self.unit_code}


def receipt_name(unit_code: str, seal_code: str) -> str:
    safe = "".join(c for c in unit_code if c.isalnum() or c in "-_")[:24]
    return f"回执_{safe}_{'-'.join(seal_code.split('-')[:4])}.json"


def issue_receipt(ws, unit_code: str, dest: str | Path, *, seal_code: str | None = None) -> ReceiptFile:
    """Write and sign the receipt for a school's current bundle (or the one with `seal_code`)."""
    dest = Path(dest)
    with ws.sessions() as s:
        office = require_office(s)
        q = select(ReceivedBundle).where(ReceivedBundle.unit_code == unit_code.strip())
        q = q.where(ReceivedBundle.seal_code == seal_code.strip().upper()) if seal_code else \
            q.where(ReceivedBundle.current == True)  # noqa: E712
        b = s.exec(q).first()
        if b is None:
            raise NotFoundError(f"区县没有接收过学校“{unit_code}”的{'这个' if seal_code else ''}报送包，无法出具回执。")
        stamp = now()
        recheck = json.loads(b.recheck_json) if b.recheck_json else {}
        doc = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "district": {"name": office.name, "code": office.code},
            "school": {"code": b.unit_code, "name": b.school_name},
            "bundle": {"seal_code": b.seal_code, "seal_digest": b.seal_digest, "bag_name": b.bag_name,
                       "exported_at": b.exported_at, "version": b.version, "key_fingerprint": b.key_fingerprint},
            "received_at": b.received_at.isoformat(timespec="seconds"),
            "issued_at": stamp.isoformat(timespec="seconds"),
            "verified": True,
            "paper_received": b.paper_received_at is not None,
            "recheck": headline(recheck) if recheck else "",
            "text": f"{office.name}已于 {b.received_at:%Y年%m月%d日} 接收{b.school_name}报送包（第 {b.version} 版，"
                    f"封存码 {b.seal_code}），经核验完整、未被改动、签名有效。",
        }
        data = (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        key = keys.school_key(ws)
        name = receipt_name(b.unit_code, b.seal_code)
        comment = (f"timestamp:{int(time.time())}\tfile:{name}\thashed\tdistrict:{L.clean_value(office.code)}"
                   f"\tschool:{L.clean_value(b.unit_code)}\tseal:{b.seal_code}")
        signature = keys.sign_bytes(ws, data, comment, f"Tisheng 区县回执，区县密钥指纹 {key.fingerprint}")
        with os_errors(dest, "写入回执"):
            dest.mkdir(parents=True, exist_ok=True)
        path = dest / name
        atomic_write_bytes(path, data)
        sig = path.with_name(path.name + SIG_SUFFIX)
        atomic_write_bytes(sig, signature.encode("utf-8"))
        pub = keys.export_public(ws, dest / PUB_NAME)
        b.receipt_at = stamp
        s.add(b)
        s.commit()
        return ReceiptFile(path, sig, pub, b.seal_code, b.unit_code)
