"""The micro-ability catalogue (30 能力点) and each point's required evidence items."""

from __future__ import annotations

from typing import Optional

from sqlmodel import Field, SQLModel


class AbilityPoint(SQLModel, table=True):
    code: str = Field(primary_key=True)        # A1 … C7
    name: str
    environment: str                           # 多媒体 / 混合 / 智慧
    dimension: str                             # 学情分析 / 教学设计 / 学法指导 / 学业评价
    description: str = ""
    sort_order: int = 0


class EvidenceItem(SQLModel, table=True):
    """A required piece of evidence. point_code NULL means a per-teacher item
    (e.g. 瓦房店's 信息技术融合教学学习指导案)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    point_code: Optional[str] = Field(default=None, foreign_key="abilitypoint.code",
                                      ondelete="CASCADE", index=True)
    seq: int = 1
    title: str
    kinds: str = ""                            # comma list: 文档,演示文稿,视频,图片,表格
    max_mb: Optional[int] = None
    max_minutes: Optional[int] = None
    note: str = ""
