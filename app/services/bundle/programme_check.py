"""What a verifier says about the programme a bundle was checked against.

The hash is recomputed from the rules inside bundle.json (never taken from the file), compared
with the hash the school sealed into bag-info.txt, and the rules are compared with this app's own
copy of the preset they name, so a reviewer sees at once whether a school relaxed a rule.
"""

from __future__ import annotations

from typing import Any

from app.errors import AppError
from app.services.programmes.document import check_programme, programme_hash
from app.services.programmes.presets import load_preset, preset_ids
from app.services.programmes.rule_views import rule_views


def programme_summary(record: Any, sealed_hash: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"readable": False}
    if not isinstance(record, dict) or not isinstance(record.get("rules"), dict):
        return out
    try:
        doc = check_programme(record["rules"])
    except (AppError, TypeError, KeyError, ValueError, RecursionError):
        return out
    applied = programme_hash(doc)
    out.update(readable=True, name=doc["name"], applied_hash=applied,
               hash_matches_seal=(sealed_hash == applied) if sealed_hash else None)
    preset_id = record.get("preset_id") if isinstance(record.get("preset_id"), str) else ""
    out["preset_id"] = preset_id
    if preset_id in preset_ids():
        preset = load_preset(preset_id)
        changed = [v for v in rule_views(doc, preset) if v.changed]
        out.update(preset_name=preset["name"], preset_hash=programme_hash(preset),
                   differs_from_preset=bool(changed),
                   differences=[{"key": v.key, "label": v.label,
                                 "applied": (v.text + ("" if v.on else "（未启用）")) if v.value is not None else "（已删除）",
                                 "preset": v.preset_text, "school_choice": v.school_choice} for v in changed])
    else:
        out.update(preset_name="", preset_hash=None, differs_from_preset=None, differences=[])
    return out


def programme_lines(p: dict[str, Any]) -> list[str]:
    """The Chinese lines `verify` prints about the programme."""
    if not p.get("readable"):
        return ["项目方案：报送包中没有可读取的项目方案，无法判断学校按什么规则检查。"]
    lines = [f"方案哈希：{p['applied_hash'][:16]}" + {True: "（与封存时记录的一致）",
                                                     False: "（与封存时记录的不一致！）", None: ""}[p["hash_matches_seal"]]]
    if p.get("differs_from_preset") is None:
        lines.append(f"与内置方案比较：本软件没有编号为“{p.get('preset_id') or '（空）'}”的内置方案，无法比较")
    elif not p["differs_from_preset"]:
        lines.append(f"与内置方案“{p['preset_name']}”相比：完全相同")
    else:
        own = [d for d in p["differences"] if not d["school_choice"]]
        chosen = [d for d in p["differences"] if d["school_choice"]]
        head = f"与内置方案“{p['preset_name']}”相比："
        head += f"调整了 {len(own)} 条规则" if own else ""
        head += ("，" if own and chosen else "") + (f"学校选定 {len(chosen)} 项" if chosen else "")
        lines.append(head)
        for d in own:
            lines.append(f"  · {d['label']}：{d['applied']}（内置方案：{d['preset']}）")
        for d in chosen:
            lines.append(f"  · {d['label']}（学校选定）：{d['applied']}")
    return lines
