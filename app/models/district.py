"""District mode (区县项目办): the office, its key register, the bundles it received, and on the
school's side the district key it trusts and the receipts (回执) it imported.

A district data folder is an ordinary data folder (same database file, same migrations, same
backups and key handling) whose `districtoffice` table has its one row instead of `school`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from app.models.base import stamp


class DistrictOffice(SQLModel, table=True):
    """One row in a district data folder: who this office is."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    code: str
    id_salt: str = ""                          # hex; keys the digests of full ID numbers (never stored)
    created_at: datetime = stamp()


class DistrictUnit(SQLModel, table=True):
    """A school or teaching point (教学点) that hands bundles to this office."""

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str = ""
    kind: str = "学校"                          # 学校 / 教学点
    note: str = ""
    created_at: datetime = stamp()


class DistrictKey(SQLModel, table=True):
    """A school's signing key as the district registered it (from the stamped 密钥登记表)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    unit_code: str = Field(index=True)
    fingerprint: str                           # 8 groups of 4 hex
    public_key: str = ""                       # the minisign "RW…" line once known
    source: str = ""                           # 纸质登记表（手工输入）/ 公钥文件 / 首次报送时核对
    registered_at: datetime = stamp()
    retired_at: Optional[datetime] = Field(default=None, sa_type=DateTime)      # replaced by a newer registration
    note: str = ""


class ReceivedBundle(SQLModel, table=True):
    """One accepted bundle (a version of one unit's submission)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    seal_code: str = Field(unique=True)
    seal_digest: str
    unit_code: str = Field(index=True)
    school_name: str = ""
    bag_name: str = ""
    location: str = ""                         # where the evidence is (the stick, or the district copy)
    copied: bool = False
    records_dir: str = ""                      # below <data>/district/records: bundle.json and tag files
    exported_at: str = ""
    received_at: datetime = stamp()
    key_fingerprint: str = ""
    previous_code: str = ""                    # Previous-Bundle-Code as the school sealed it
    previous_id: Optional[int] = Field(default=None, foreign_key="receivedbundle.id", ondelete="SET NULL")
    version: int = 1
    current: bool = True
    payload_bytes: int = 0
    payload_files: int = 0
    teacher_count: int = 0
    masked: bool = True
    programme_name: str = ""
    programme_hash: str = ""
    allow_incomplete: bool = False
    school_summary_json: str = ""              # the school's own compliance summary at sealing
    recheck_json: str = ""                     # the district's re-check (app.services.district.recheck)
    recheck_differences: int = 0
    changes_json: str = ""                     # what changed since the previous version
    warnings_json: str = ""
    paper_received_at: Optional[datetime] = Field(default=None, sa_type=DateTime)
    paper_note: str = ""
    receipt_at: Optional[datetime] = Field(default=None, sa_type=DateTime)


class BundleEvidence(SQLModel, table=True):
    """One evidence file of a received bundle (for 材料雷同: the same hash from different teachers)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    bundle_id: int = Field(foreign_key="receivedbundle.id", ondelete="CASCADE", index=True)
    sha256: str = Field(index=True)
    size: int = 0
    path: str = ""
    teacher_ref: Optional[int] = None          # the teacher's id in the school's own database
    teacher_name: str = ""
    point_code: str = ""


class BundlePerson(SQLModel, table=True):
    """A teacher of a received bundle, as far as the masking lets two schools be compared."""

    id: Optional[int] = Field(default=None, primary_key=True)
    bundle_id: int = Field(foreign_key="receivedbundle.id", ondelete="CASCADE", index=True)
    teacher_ref: Optional[int] = None
    name: str = ""
    masked_id: str = Field(default="", index=True)
    id_digest: str = Field(default="", index=True)   # keyed digest of the full number (unmasked bundles only)


class IntakeEvent(SQLModel, table=True):
    """Every bundle the office tried to take in, with the outcome (接收 / 拒收 / 待确认 / 已接收过)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = stamp()
    path: str = ""
    outcome: str = ""
    unit_code: str = ""
    school_name: str = ""
    seal_code: str = ""
    fingerprint: str = ""
    message: str = ""
    details_json: str = ""


class TrustedDistrict(SQLModel, table=True):
    """School side: the district office whose receipts and programmes this school accepts."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = ""
    code: str = ""
    fingerprint: str
    public_key: str = ""
    source: str = ""
    added_at: datetime = stamp()
    programme_hash: str = ""                   # the last programme the district published and the school imported
    programme_imported_at: Optional[datetime] = Field(default=None, sa_type=DateTime)


class DistrictReceipt(SQLModel, table=True):
    """School side: a receipt (回执) the district signed for one of this school's bundles."""

    id: Optional[int] = Field(default=None, primary_key=True)
    seal_code: str = Field(unique=True)
    district_name: str = ""
    district_code: str = ""
    received_at: str = ""                      # as the district wrote it
    version: int = 1
    document_json: str = ""
    imported_at: datetime = stamp()
