"""What a sealed bundle prints on paper: seal code, key fingerprint, full digest.

Shared by the bundle exporter (which computes it) and the forms (which print it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def group_hex(hex_text: str, groups: int = 8) -> str:
    """First groups*4 hex characters, upper case, as ABCD-EF01-…"""
    text = hex_text[: groups * 4].upper()
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def seal_code_for(manifest_bytes: bytes) -> tuple[str, str]:
    """(grouped seal code, full sha256 hex) of the bytes of manifest-sha256.txt."""
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    return group_hex(digest), digest


def fingerprint_for(raw_public_key: bytes) -> str:
    """Key fingerprint: first 128 bits of SHA-256 of the raw 32-byte Ed25519 key."""
    return group_hex(hashlib.sha256(raw_public_key).hexdigest())


@dataclass(frozen=True)
class SealInfo:
    seal_code: str            # 3F2A-91C0-… (32 hex in 8 groups)
    digest_hex: str           # full SHA-256 of manifest-sha256.txt
    fingerprint: str          # school key fingerprint, grouped the same way
    school_code: str
    bag_name: str = ""
    allow_incomplete: bool = False

    def qr_payload(self) -> str:
        return f"TSB1;S={self.school_code};H={self.digest_hex};K={self.fingerprint.replace('-', '')}"
