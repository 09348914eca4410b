"""The district's programme as a signed file that schools import (then their bundles name it by hash).

`publish_programme` writes the programme in force in the district folder (the same JSON as
`tisheng programme export`), its minisign signature (`<file>.minisig`) and the district's public
key beside it. A school imports it with `tisheng programme import <file>`: with the signature
present, it is checked against the district key the school registered (app.services.district_link).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from app.services import keys
from app.services.bundle import layout as L
from app.services.district.office import require_office
from app.services.district.receipts import PUB_NAME, SIG_SUFFIX
from app.services.fileio import atomic_write_bytes, os_errors
from app.services.programmes.adjust import export_programme


@dataclass(frozen=True)
class PublishedProgramme:
    path: Path
    signature: Path
    public_key: Path
    hash: str

    def to_dict(self) -> dict:
        return {"file": str(self.path), "signature": str(self.signature), "public_key": str(self.public_key),
                "hash": self.hash}


def publish_programme(ws, dest: str | Path) -> PublishedProgramme:
    dest = Path(dest)
    with ws.sessions() as s:
        office = require_office(s)
    if dest.is_dir() or dest.suffix.lower() != ".json":      # a folder (made if missing)
        with os_errors(dest, "写入区县项目方案"):
            dest.mkdir(parents=True, exist_ok=True)
        dest = dest / f"区县项目方案_{office.code}.json"
    digest = export_programme(ws, dest)
    comment = (f"timestamp:{int(time.time())}\tfile:{dest.name}\thashed\tdistrict:{L.clean_value(office.code)}"
               f"\tprogramme:{digest}")
    with open(dest, "rb") as fh:
        data = fh.read()
    signature = keys.sign_bytes(ws, data, comment, f"Tisheng 区县项目方案，区县密钥指纹 {keys.school_key(ws).fingerprint}")
    sig = dest.with_name(dest.name + SIG_SUFFIX)
    atomic_write_bytes(sig, signature.encode("utf-8"))
    pub = keys.export_public(ws, dest.parent / PUB_NAME)
    return PublishedProgramme(dest, sig, pub, digest)
