"""Tying a school's paper form to a bundle: a typed seal code, or the QR text a scanner types.

A USB barcode scanner types like a keyboard, so both arrive as text: the seal code
(`3F2A-91C0-…`, 32 hex characters in 8 groups, dashes and spaces optional) or the QR payload
`TSB1;S=<school code>;H=<64 hex>;K=<32 hex fingerprint>`. A match marks the paper as received;
no match is said loudly, with what the office knows about that code (refused, waiting, unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import select

from app.errors import ValidationError
from app.models.base import now
from app.models.district import IntakeEvent, ReceivedBundle
from app.services.district.office import require_office
from app.services.district.register import check_typed
from app.services.seal import group_hex

_QR = re.compile(r"TSB1;(.*)", re.IGNORECASE)


@dataclass(frozen=True)
class PaperResult:
    matched: bool
    message: str
    seal_code: str = ""
    unit_code: str = ""
    school_name: str = ""
    version: int = 0
    current: bool = False
    bundle_id: int | None = None
    first_time: bool = False
    via: str = ""                                  # 扫码 / 手工输入

    def to_dict(self) -> dict:
        return {"matched": self.matched, "message": self.message, "seal_code": self.seal_code,
                "school": self.unit_code, "name": self.school_name, "version": self.version, "current": self.current,
                "bundle_id": self.bundle_id, "first_time": self.first_time, "via": self.via}


@dataclass(frozen=True)
class PaperCode:
    seal_code: str                                 # grouped, 32 hex
    digest: str = ""                               # 64 hex when it came from the QR code
    fingerprint: str = ""
    school_code: str = ""
    via: str = "手工输入"


def parse_paper_text(text: str) -> PaperCode:
    raw = (text or "").strip()
    m = _QR.search(raw)
    if m:
        fields = dict(part.split("=", 1) for part in m.group(1).split(";") if "=" in part)
        digest = fields.get("H", "").strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ValidationError("二维码内容不完整：缺少 64 位的封存摘要（H=…）。请重新扫描。")
        fp = fields.get("K", "").strip().upper()
        return PaperCode(group_hex(digest), digest, group_hex(fp) if re.fullmatch(r"[0-9A-F]{32}", fp) else "",
                         fields.get("S", "").strip(), "扫码")
    check = check_typed(raw)
    if check.problem:
        raise ValidationError(check.problem.replace("指纹", "封存码"))
    if not check.complete:
        raise ValidationError(f"封存码应为 32 位（8 组，每组 4 位），只输入了 {check.typed} 位。")
    return PaperCode(check.text)


def tie_paper(ws, text: str) -> PaperResult:
    code = parse_paper_text(text)
    with ws.sessions() as s:
        require_office(s)
        b = s.exec(select(ReceivedBundle).where(ReceivedBundle.seal_code == code.seal_code)).first()
        if b is None or (code.digest and b.seal_digest != code.digest):
            ev = s.exec(select(IntakeEvent).where(IntakeEvent.seal_code == code.seal_code)
                        .order_by(IntakeEvent.id.desc())).first()
            why = ""
            if ev is not None:
                why = (f"这个封存码的报送包（{ev.school_name or ev.unit_code}）在 {ev.at:%Y-%m-%d %H:%M} 的接收结果是"
                       f"“{ev.outcome}”：{ev.message}")
            return PaperResult(False, f"✘ 不匹配：没有任何已接收的报送包的封存码是 {code.seal_code}。"
                               + (why or "请核对：确认表是否属于这次报送、封存码是否抄错；或者这所学校的报送包还没有接收。"),
                               code.seal_code, via=code.via)
        problems = []
        if code.fingerprint and code.fingerprint != b.key_fingerprint:
            problems.append(f"二维码中的密钥指纹 {code.fingerprint} 与报送包的签名密钥 {b.key_fingerprint} 不一致")
        if code.school_code and code.school_code != b.unit_code:
            problems.append(f"二维码中的学校代码 {code.school_code} 与报送包的 {b.unit_code} 不一致")
        if problems:
            return PaperResult(False, "✘ 不匹配：" + "；".join(problems) + "。这份确认表不能作为该报送包的凭证。",
                               b.seal_code, b.unit_code, b.school_name, b.version, b.current, b.id, via=code.via)
        first = b.paper_received_at is None
        if first:
            b.paper_received_at = now()
            b.paper_note = code.via
            s.add(b)
            s.commit()
        note = "" if b.current else "（注意：这是较早的版本，不是该校最新报送的版本）"
        when = "" if first else f"（{b.paper_received_at:%Y-%m-%d %H:%M} 已登记过）"
        return PaperResult(True, f"✔ 一致：{b.school_name}（{b.unit_code}）第 {b.version} 版报送包的纸质确认表已收到{when}。{note}",
                           b.seal_code, b.unit_code, b.school_name, b.version, b.current, b.id, first, code.via)
