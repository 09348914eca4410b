"""Programme presets (rule profiles) shipped as data, and the school's own copy.

A preset is copied into the school's database when the school picks it; the
school may then adjust numbers without touching the shipped file. All rule
code reads the profile through `Rules`, so requirements stay data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlmodel import Session, select

from app.errors import NotFoundError, ValidationError
from app.models import Programme
from app.models.base import now
from app.resources import load_json, resource_path

PROGRAMME_DIR = ("programmes",)
DEFAULT_PRESET = "national-2.0"


@dataclass(frozen=True)
class PresetInfo:
    id: str
    name: str
    source: str
    source_file: str | None
    summary: str


def preset_ids() -> list[str]:
    ids = sorted(p.stem for p in resource_path(*PROGRAMME_DIR).glob("*.json"))
    ids.remove(DEFAULT_PRESET)
    return [DEFAULT_PRESET, *ids]


def load_preset(preset_id: str) -> dict[str, Any]:
    if preset_id not in preset_ids():
        raise NotFoundError(f"没有编号为“{preset_id}”的项目方案。可选：{'、'.join(preset_ids())}")
    return json.loads(json.dumps(load_json(*PROGRAMME_DIR, f"{preset_id}.json")))


def list_presets() -> list[PresetInfo]:
    out = []
    for pid in preset_ids():
        p = load_preset(pid)
        out.append(PresetInfo(p["id"], p["name"], p["source"], p.get("source_file"), p["summary"]))
    return out


class Rules:
    """Typed read access to a rule profile (the JSON dict)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def hours(self) -> dict[str, Any]:
        return self.data["hours"]

    @property
    def total_min(self) -> float:
        return float(self.hours.get("total_min") or 0)

    @cached_property
    def categories(self) -> list[dict[str, Any]]:
        return list(self.hours["categories"])

    @property
    def category_keys(self) -> list[str]:
        return [c["key"] for c in self.categories]

    @property
    def practice_keys(self) -> list[str]:
        return [c["key"] for c in self.categories if c.get("practice")]

    @property
    def practice_share_min(self) -> float | None:
        return self.hours.get("practice_share_min")

    @property
    def topic_minimums(self) -> list[dict[str, Any]]:
        return list(self.hours.get("topic_minimums") or [])

    @property
    def record_max(self) -> float:
        return float(self.hours.get("record_max") or 200)

    @property
    def micro(self) -> dict[str, Any] | None:
        return self.data.get("micro")

    @property
    def teacher_items(self) -> list[dict[str, Any]]:
        return list(self.data.get("teacher_items") or [])

    @property
    def grading(self) -> dict[str, Any]:
        return self.data["grading"]

    @property
    def scale(self) -> list[str]:
        return list(self.grading["scale"])

    @property
    def school(self) -> dict[str, Any]:
        return self.data["school"]

    @property
    def exemptions(self) -> dict[str, Any]:
        return self.data.get("exemptions") or {}

    def check_category(self, category: str) -> str:
        if category not in self.category_keys:
            raise ValidationError(f"学时类别“{category}”不属于本校项目方案，可选：{'、'.join(self.category_keys)}。",
                                  field="category")
        return category


def current_rules(s: Session) -> Rules:
    row = s.exec(select(Programme)).first()
    if row is None:
        raise NotFoundError("尚未设置学校和项目方案。请先运行“tisheng init”或在软件中完成初始设置。")
    return Rules(json.loads(row.rules_json))


def install_programme(s: Session, preset_id: str) -> Programme:
    data = load_preset(preset_id)
    row = s.exec(select(Programme)).first()
    if row is None:
        row = Programme(preset_id=preset_id, name=data["name"], source=data["source"],
                        rules_json=json.dumps(data, ensure_ascii=False))
    else:
        row.preset_id, row.name, row.source = preset_id, data["name"], data["source"]
        row.rules_json, row.adjusted, row.updated_at = json.dumps(data, ensure_ascii=False), False, now()
    s.add(row)
    return row


def save_adjusted_rules(s: Session, data: dict[str, Any]) -> None:
    """Store the school's adjusted copy (e.g. its district's hours)."""
    row = s.exec(select(Programme)).first()
    if row is None:
        raise NotFoundError("尚未设置项目方案。")
    Rules(data).categories  # shape check
    row.rules_json, row.adjusted, row.updated_at = json.dumps(data, ensure_ascii=False), True, now()
    s.add(row)
