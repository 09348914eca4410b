"""The school's side of district mode: the district key it trusts, receipts, the district's programme.

How the school learns the district key: once, from the district's public key file
(`区县公钥.pub`, handed over with the first receipt or the published programme) or from the
fingerprint the district prints and announces, typed in groups (then the .pub file beside the
receipt must have exactly that fingerprint). From then on every receipt and programme file must be
signed by that key; a different key is refused by name (the district must tell the school first,
`trust_district(..., replace=True)`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import select

from app.errors import NotFoundError, RuleViolation, ValidationError
from app.models import School
from app.models.base import now
from app.models.district import DistrictReceipt, TrustedDistrict
from app.services.bundle import minisign
from app.services.bundle.district_fields import exported_seal_codes
from app.services.district.receipts import FORMAT, PUB_NAME, SIG_SUFFIX
from app.services.fileio import atomic_write_bytes, os_errors
from app.services.seal import fingerprint_for

MAX_RECEIPT = 64 * 1024


@dataclass(frozen=True)
class TrustRow:
    name: str
    code: str
    fingerprint: str
    source: str
    added_at: datetime
    programme_hash: str

    def to_dict(self) -> dict:
        return {"name": self.name, "code": self.code, "fingerprint": self.fingerprint, "source": self.source,
                "added_at": self.added_at.isoformat(timespec="seconds"), "programme_hash": self.programme_hash}


@dataclass(frozen=True)
class ReceiptRow:
    seal_code: str
    district_name: str
    district_code: str
    received_at: str
    version: int
    imported_at: datetime
    text: str

    @property
    def received_date(self) -> str:
        return self.received_at[:10]

    def to_dict(self) -> dict:
        return {"seal_code": self.seal_code, "district": self.district_name, "district_code": self.district_code,
                "received_at": self.received_at, "version": self.version,
                "imported_at": self.imported_at.isoformat(timespec="seconds"), "text": self.text}


def _trust_row(t: TrustedDistrict) -> TrustRow:
    return TrustRow(t.name, t.code, t.fingerprint, t.source, t.added_at, t.programme_hash)


def _read(path: Path, cap: int, what: str) -> bytes:
    with os_errors(path, f"读取{what}"):
        if not path.is_file():
            raise NotFoundError(f"找不到{what}“{path}”。")
        if path.stat().st_size > cap:
            raise ValidationError(f"“{path.name}”过大，不是{what}。")
        return path.read_bytes()


def _key_from(text: str, beside: Path | None) -> tuple[minisign.PublicKey, str]:
    """A district key from a .pub file / RW line, or from a typed fingerprint plus the .pub beside a file."""
    from app.services.bundle.verify import RegisteredKey
    parsed = RegisteredKey.parse(text)
    if parsed.public_key is not None:
        return parsed.public_key, "区县公钥文件"
    candidates = [beside / PUB_NAME] if beside is not None else []
    if beside is not None:
        candidates += sorted(p for p in beside.glob("*.pub") if p.name != PUB_NAME)
    for pub in candidates:
        try:
            pk = minisign.parse_public_key(_read(pub, MAX_RECEIPT, "公钥文件").decode("utf-8", errors="replace"))
        except (ValueError, NotFoundError, ValidationError):
            continue
        if fingerprint_for(pk.raw) == parsed.fingerprint:
            return pk, "区县公布的公钥指纹（手工输入核对）"
    raise ValidationError(f"在回执旁边没有找到指纹为 {parsed.fingerprint} 的区县公钥文件（{PUB_NAME}）。"
                          "请确认区县交来的文件齐全，或核对输入的指纹。")


def trusted_district(ws) -> TrustRow | None:
    with ws.sessions() as s:
        t = s.exec(select(TrustedDistrict)).first()
        return _trust_row(t) if t else None


def trust_district(ws, key_text: str, *, beside: Path | None = None, name: str = "", code: str = "",
                   replace: bool = False) -> TrustRow:
    """Register the district key (a .pub file, the RW line, or its fingerprint with the .pub beside `beside`)."""
    pk, source = _key_from(key_text, beside)
    return _store_trust(ws, pk, source, name, code, replace)


def _store_trust(ws, pk: minisign.PublicKey, source: str, name: str, code: str, replace: bool) -> TrustRow:
    fp = fingerprint_for(pk.raw)
    with ws.sessions() as s:
        t = s.exec(select(TrustedDistrict)).first()
        if t is not None and t.fingerprint != fp and not replace:
            raise RuleViolation(f"本校登记的区县公钥指纹是 {t.fingerprint}（{t.added_at:%Y-%m-%d} 登记），与 {fp} 不同。"
                                "如区县确实更换了密钥，请以区县的正式通知为准，用“更换区县公钥”（命令行 --replace）重新登记。")
        if t is None or t.fingerprint != fp:
            if t is not None:
                s.delete(t)
                s.flush()
            t = TrustedDistrict(fingerprint=fp, public_key=pk.b64, source=source)
        t.name, t.code = name or t.name, code or t.code
        s.add(t)
        s.commit()
        return _trust_row(t)


def _verify(ws, path: Path, data: bytes, district_key: str | None) -> tuple[minisign.PublicKey, str, bool]:
    """(key, source, newly trusted?) after checking the .minisig beside `path`."""
    sig_path = path.with_name(path.name + SIG_SUFFIX)
    sig = _read(sig_path, minisign.MAX_SIG_FILE, "签名文件")
    with ws.sessions() as s:
        t = s.exec(select(TrustedDistrict)).first()
    given = _key_from(district_key, path.parent) if district_key else None
    if t is not None:
        pk = minisign.parse_public_key(t.public_key)
        if given is not None and given[0].raw != pk.raw:
            raise RuleViolation(f"指定的区县公钥（指纹 {fingerprint_for(given[0].raw)}）与本校登记的区县公钥"
                                f"（指纹 {t.fingerprint}）不一致，未导入。")
        source, new = t.source, False
    elif given is not None:
        pk, source = given
        new = True
    else:
        raise RuleViolation("本校还没有登记区县公钥，无法确认文件确实来自区县。请指定区县交来的公钥文件（区县公钥.pub），"
                            "或输入区县公布的公钥指纹（命令行：--district-key 文件或指纹）。")
    check = minisign.verify_signature(sig, None, pk, message=data)
    if not check.ok:
        raise RuleViolation(f"“{path.name}”的签名核对失败：{check.reason} 文件可能被改动，或不是本校登记的区县签发的，未导入。")
    return pk, source, new


def import_receipt(ws, path: str | Path, *, district_key: str | None = None) -> ReceiptRow:
    """Check a receipt against the trusted district key and this school's exports; keep it."""
    path = Path(path)
    data = _read(path, MAX_RECEIPT, "回执文件")
    pk, source, new = _verify(ws, path, data, district_key)
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError(f"“{path.name}”不是回执文件（无法按 JSON 读取）。") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValidationError(f"“{path.name}”不是本软件的回执文件。")
    bundle = doc.get("bundle") if isinstance(doc.get("bundle"), dict) else {}
    school = doc.get("school") if isinstance(doc.get("school"), dict) else {}
    district = doc.get("district") if isinstance(doc.get("district"), dict) else {}
    seal = str(bundle.get("seal_code", ""))
    with ws.sessions() as s:
        own = s.exec(select(School)).first()
        if own is None:
            raise NotFoundError("尚未设置学校，不能导入回执。")
        if str(school.get("code", "")) != own.code:
            raise RuleViolation(f"这份回执是给学校“{school.get('name', '')}”（代码 {school.get('code', '')}）的，"
                                f"不是本校（{own.code}）的，未导入。")
        if seal not in exported_seal_codes(s):
            raise RuleViolation(f"回执所列的报送包（封存码 {seal}）不是本校导出的（导出记录中没有），未导入。")
    if new:
        _store_trust(ws, pk, source, str(district.get("name", "")), str(district.get("code", "")), False)
    with ws.sessions() as s:
        row = s.exec(select(DistrictReceipt).where(DistrictReceipt.seal_code == seal)).first() or \
            DistrictReceipt(seal_code=seal)
        row.district_name, row.district_code = str(district.get("name", "")), str(district.get("code", ""))
        row.received_at, row.version = str(doc.get("received_at", "")), int(bundle.get("version") or 1)
        row.document_json, row.imported_at = json.dumps(doc, ensure_ascii=False), now()
        s.add(row)
        t = s.exec(select(TrustedDistrict)).first()
        if t is not None and not t.name:
            t.name, t.code = row.district_name, row.district_code
            s.add(t)
        s.commit()
        return _receipt_row(row)


def _receipt_row(r: DistrictReceipt) -> ReceiptRow:
    try:
        text = json.loads(r.document_json).get("text", "")
    except (ValueError, AttributeError):
        text = ""
    return ReceiptRow(r.seal_code, r.district_name, r.district_code, r.received_at, r.version, r.imported_at, text)


def list_receipts(ws) -> list[ReceiptRow]:
    with ws.sessions() as s:
        return [_receipt_row(r) for r in s.exec(select(DistrictReceipt).order_by(DistrictReceipt.id))]


def receipt_status(ws) -> str:
    """For the school's dashboard: "区县已接收 · 日期" for its latest export, or what is known."""
    with ws.sessions() as s:
        seals = exported_seal_codes(s)
        receipts = {r.seal_code: r for r in s.exec(select(DistrictReceipt))}
    return status_text(seals, receipts)


def status_text(seals: list[str], receipts: dict[str, Any]) -> str:
    if not seals:
        return ""
    latest = receipts.get(seals[-1])
    if latest is not None:
        return f"区县已接收 · {latest.received_at[:10]}"
    older = [receipts[c] for c in seals[:-1] if c in receipts]
    if older:
        return f"区县已接收上一版 · {older[-1].received_at[:10]}（最新导出尚无回执）"
    return "已导出，尚未收到区县回执"


def import_published_programme(ws, path: str | Path, *, district_key: str | None = None, by: str | None = None):
    """Import the district's signed programme file; the bundle then names it by hash."""
    from app.services.programmes import programme_hash
    from app.services.programmes.adjust import import_programme, read_programme_file
    path = Path(path)
    data = _read(path, 2 * 1024 * 1024, "项目方案文件")
    pk, source, new = _verify(ws, path, data, district_key)
    # Import exactly the bytes whose signature was checked (the file could change meanwhile).
    checked = Path(ws.paths.tmp) / path.name
    atomic_write_bytes(checked, data)
    try:
        doc = read_programme_file(checked)
        view = import_programme(ws, checked, by=by)
    finally:
        checked.unlink(missing_ok=True)
    if new:
        _store_trust(ws, pk, source, "", "", False)
    with ws.sessions() as s:
        t = s.exec(select(TrustedDistrict)).first()
        t.programme_hash, t.programme_imported_at = programme_hash(doc), now()
        s.add(t)
        s.commit()
    return view
