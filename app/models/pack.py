"""Collection packs (采集包) a central school sends to its teaching points, and what came back.

`CollectionPack` is one pack as issued: its id and secret (the key of the return's HMAC), the
teachers it holds and the whole issued document (the base a merge compares against, so a
stick that was edited cannot change what "before" means). `PackMerge` is one return merged;
`PackEvent` one change of a return with what the merge did with it, so merging the same
return twice, or a later return of the same pack, applies each change once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from app.models.base import stamp

PACK_PENDING = "生成中"      # the row is written before the folder; a finished folder makes it 已发出
PACK_OUT = "已发出"
PACK_BACK = "已收回"          # at least one return merged
PACK_WITHDRAWN = "已作废"      # replaced by a newer pack for the same teachers; its returns are refused
SOURCE_PACK = "教学点采集包"   # HoursRecord.source of hours recorded at a teaching point


class CollectionPack(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    pack_id: str = Field(unique=True)             # 32 hex digits, also in the pack's folder
    scope_kind: str                               # 教学点 / 研修组 / 教师
    scope_name: str
    teacher_ids: str                              # JSON list of teacher ids
    secret: str                                   # hex; the key of the return bag's HMAC
    issued_json: str                              # the pack document as written (without the secret)
    folder: str = ""                              # where it was written
    status: str = PACK_PENDING
    created_by: str = ""
    created_at: datetime = stamp()
    returned_seq: int = 0                         # the newest return merged (0: none yet)
    merged_at: Optional[datetime] = Field(default=None, sa_type=DateTime)
    withdrawn_at: Optional[datetime] = Field(default=None, sa_type=DateTime)


class PackMerge(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    pack_row_id: int = Field(foreign_key="collectionpack.id", ondelete="CASCADE", index=True)
    return_seq: int
    sealed_at: str = ""                           # as written by the teaching point (its clock)
    sealed_by: str = ""
    tagmanifest_sha256: str = ""
    merged_by: str = ""
    merged_at: datetime = stamp()
    summary_json: str = ""


class PackEvent(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    pack_row_id: int = Field(foreign_key="collectionpack.id", ondelete="CASCADE", index=True)
    merge_id: int = Field(foreign_key="packmerge.id", ondelete="CASCADE", index=True)
    event_id: str = Field(unique=True)
    kind: str
    outcome: str                                  # 已合并 / 保留学校 / 未合并 / 已撤销
    detail_json: str = ""                         # ids of the rows it made, the codes it set
