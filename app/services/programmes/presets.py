"""The shipped presets (one per source document, plus a national default) and their documents."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.errors import NotFoundError
from app.resources import load_json, resource_path
from app.services.programmes.document import check_programme, programme_hash
from app.vocab import DEFAULT_PRESET  # noqa: F401 (defined there for the command line)

PROGRAMME_DIR = ("programmes",)


@dataclass(frozen=True)
class PresetInfo:
    id: str
    name: str
    source: str
    source_file: str | None
    summary: str
    hash: str


def preset_ids() -> list[str]:
    ids = sorted(p.stem for p in resource_path(*PROGRAMME_DIR).glob("*.json"))
    ids.remove(DEFAULT_PRESET)
    return [DEFAULT_PRESET, *ids]


@lru_cache(maxsize=None)
def _checked(preset_id: str) -> dict[str, Any]:
    return check_programme(load_json(*PROGRAMME_DIR, f"{preset_id}.json"))


def load_preset(preset_id: str) -> dict[str, Any]:
    """A fresh copy of a preset, checked like any programme file."""
    if preset_id not in preset_ids():
        raise NotFoundError(f"没有编号为“{preset_id}”的项目方案。可选：{'、'.join(preset_ids())}")
    return copy.deepcopy(_checked(preset_id))


def preset_hash(preset_id: str) -> str:
    return programme_hash(_checked(preset_id))


def list_presets() -> list[PresetInfo]:
    out = []
    for pid in preset_ids():
        p = _checked(pid)
        doc = p.get("document") or {}
        out.append(PresetInfo(p["id"], p["name"], doc.get("title", ""), doc.get("file"), p["summary"],
                              programme_hash(p)))
    return out


def source_text(file_name: str) -> str:
    """The full text of a preset's source document (shipped with the app), '' if not shipped."""
    path = resource_path(*PROGRAMME_DIR, "sources", file_name)
    if path.parent.name != "sources" or "/" in file_name or "\\" in file_name or not path.is_file():
        return ""
    return path.read_text(encoding="utf-8")
