"""The teacher roster."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from app.models.base import now, stamp
from app.vocab import (STAFF_TYPES, STATUS_ACTIVE, STATUS_EXEMPT, STATUS_INTERNAL_RETIRED,  # noqa: F401
                       STATUS_LEFT, STATUS_RETIRED, STATUSES)

# Whether a teacher the programme does not require takes part anyway, or one it allows to
# opt out does so (the programme decides what each means; "" follows the programme).
PARTICIPATION_DEFAULT = ""
PARTICIPATION_VOLUNTEER = "自愿参加"
PARTICIPATION_OPTED_OUT = "不参加"
PARTICIPATIONS = (PARTICIPATION_DEFAULT, PARTICIPATION_VOLUNTEER, PARTICIPATION_OPTED_OUT)
GENDERS = ("男", "女")


class Teacher(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    gender: str = ""
    id_number: Optional[str] = Field(default=None, unique=True)   # stored once, validated
    phone: str = ""
    subject: str = ""
    stage: str = ""
    staff_type: str = "在编"
    title: str = ""                            # 职称
    staff_no: Optional[str] = Field(default=None, unique=True)    # 工号
    teaching_point_id: Optional[int] = Field(default=None, foreign_key="teachingpoint.id",
                                             ondelete="SET NULL")
    group_id: Optional[int] = Field(default=None, foreign_key="studygroup.id",
                                    ondelete="SET NULL")
    status: str = STATUS_ACTIVE
    status_reason: str = ""
    retire_date: Optional[date] = None
    note: str = ""
    created_at: datetime = stamp()
    updated_at: datetime = stamp()
    participation: str = Field(default=PARTICIPATION_DEFAULT, sa_column_kwargs={"server_default": ""})
