"""How each rule of a programme reads beside the preset it came from (`rule_views`).

Apart from adjust.py, which edits the school's copy in the database, so that `verify`
can describe a bundle's programme without loading the database layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.services.programmes.describe import describe
from app.services.programmes.rules import Rules
from app.services.programmes.schema import BY_KEY, GROUPS, ORIGINS


@dataclass(frozen=True)
class RuleView:
    key: str
    label: str
    group: str
    on: bool
    origin: str
    origin_label: str
    value: Any
    text: str
    source: str
    basis: str
    note: str
    preset_on: bool | None             # None: the preset does not have this rule
    preset_text: str
    changed: bool
    school_choice: bool

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _text(key: str, rule: dict | None) -> str:
    if rule is None:
        return "（无此规则）"
    return describe(key, rule["value"]) + ("" if rule["on"] else "（未启用）")


def rule_views(doc: dict[str, Any], preset: dict[str, Any] | None) -> tuple[RuleView, ...]:
    rules = Rules(doc)
    out = []
    base = (preset or {}).get("rules", {})
    for key, r in doc["rules"].items():
        s = BY_KEY[key]
        p = base.get(key)
        changed = preset is not None and (p is None or p["on"] != r["on"] or p["value"] != r["value"])
        out.append(RuleView(key, s.label, s.group, r["on"], r["origin"], ORIGINS[r["origin"]], r["value"],
                            describe(key, r["value"]), r.get("source", ""), rules.basis(key), r.get("note", ""),
                            p["on"] if p else None, _text(key, p) if preset is not None else "", changed,
                            s.school_choice))
    for key, p in base.items():                  # rules the school removed entirely
        if key not in doc["rules"]:
            s = BY_KEY[key]
            out.append(RuleView(key, s.label, s.group, False, p["origin"], ORIGINS[p["origin"]], None, "（已删除）",
                                p.get("source", ""), "", "", p["on"], _text(key, p), True, s.school_choice))
    return tuple(sorted(out, key=lambda v: (GROUPS.index(v.group), list(BY_KEY).index(v.key))))
