"""Teams (校级管理团队, 信息化教学创新研修团队, ...) and 学科研修组."""

from __future__ import annotations

from typing import Optional

from sqlmodel import Field, SQLModel


class Team(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str                                  # 校级管理团队 / 信息化教学创新研修团队 / 培训指导团队 / 其他
    name: str = Field(unique=True)
    duty: str = ""


class TeamMember(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True)
    teacher_id: Optional[int] = Field(default=None, foreign_key="teacher.id",
                                      ondelete="CASCADE", index=True)
    name: str = ""                             # for outside members (专家, 教研员)
    role: str = ""                             # 组长 / 第一责任人 / 成员 ...
    duty: str = ""
    is_first_responsible: bool = False


class StudyGroup(SQLModel, table=True):
    """学科研修组 (about 10 teachers of a subject) with a 组长."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    subject: str = ""
    leader_id: Optional[int] = Field(default=None, foreign_key="teacher.id", ondelete="SET NULL")
    common_point: str = ""                     # the group's shared 能力点, if any
