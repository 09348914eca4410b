"""A programme file (format_version 2): checking a whole one, and its hash.

The same check runs on the shipped presets (a test), on a file a school imports, on a
`programme set` before it is saved, and on the copy a district reads out of a bundle.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from app.errors import ValidationError
from app.services.programmes import values as V
from app.services.programmes.schema import ALWAYS_ON, BY_KEY, ORIGINS

FORMAT = "tisheng-programme"
FORMAT_VERSION = 2
_META = {"format", "format_version", "id", "name", "short", "summary", "document", "notes", "rules",
         "based_on"}


def canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def programme_hash(doc: dict[str, Any]) -> str:
    """SHA-256 of the programme's canonical JSON, without `based_on` (where it came from is not
    part of what it requires)."""
    return hashlib.sha256(canonical({k: v for k, v in doc.items() if k != "based_on"})).hexdigest()


def check_rule(key: str, rule: Any) -> dict[str, Any]:
    spec = BY_KEY.get(key)
    if spec is None:
        raise ValidationError(f"项目方案中有不认识的规则“{key}”。")
    if not isinstance(rule, dict) or "value" not in rule:
        raise ValidationError(f"规则“{spec.label}”（{key}）缺少取值。")
    unknown = set(rule) - {"value", "on", "origin", "source", "note"}
    if unknown:
        raise ValidationError(f"规则“{spec.label}”（{key}）中有不认识的项：{'、'.join(sorted(unknown))}。")
    try:
        value = spec.check(spec.label, rule["value"])
    except V.Bad as exc:
        raise ValidationError(f"规则“{spec.label}”（{key}）：{exc.user_message}") from None
    origin = rule.get("origin", "school")
    if origin not in ORIGINS:
        raise ValidationError(f"规则“{spec.label}”的来源类别“{origin}”无效。")
    on = True if key in ALWAYS_ON else V.boolean(f"{spec.label}是否启用", rule.get("on", True))
    out = {"value": value, "on": on, "origin": origin,
           "source": V.text("依据", rule.get("source", ""), max_len=600, empty=True)}
    if rule.get("note"):
        out["note"] = V.text("说明", rule["note"], max_len=300)
    return out


def _cross_checks(rules: dict[str, dict]) -> None:
    cats = [c["key"] for c in rules["hours.categories"]["value"]]

    def need_category(what: str, cat: str) -> None:
        if cat not in cats:
            raise ValidationError(f"{what}所属的学时类别“{cat}”不在学时类别中（{'、'.join(cats)}）。")

    for t in rules.get("hours.topics", {}).get("value", []):
        need_category(f"专题“{t['topic']}”", t["category"])
    for w in rules.get("hours.category_windows", {}).get("value", []):
        need_category("学习时间", w["category"])
    if "hours.elective_topic" in rules:
        need_category("选修专题", rules["hours.elective_topic"]["value"]["category"])
    share = rules.get("hours.practice_share")
    if share and share["on"] and not any(c["practice"] for c in rules["hours.categories"]["value"]):
        raise ValidationError("规定了实践类学时比例，但没有任何学时类别标为实践类。")


def check_programme(doc: Any) -> dict[str, Any]:
    """A whole programme, normalised; ValidationError (Chinese, naming the rule) if anything is off."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValidationError("这不是本软件的项目方案文件（缺少 \"format\": \"tisheng-programme\"）。")
    if doc.get("format_version") != FORMAT_VERSION:
        from app.services.programmes.convert import from_v1
        if doc.get("format_version") == 1:
            doc = from_v1(doc)
        else:
            raise ValidationError(f"项目方案文件的版本（{doc.get('format_version')}）本软件不认识，请升级软件。")
    unknown = set(doc) - _META
    if unknown:
        raise ValidationError(f"项目方案文件中有不认识的项：{'、'.join(sorted(unknown))}。")
    out: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION,
                           "id": V.text("方案编号", doc.get("id", ""), max_len=40),
                           "name": V.text("方案名称", doc.get("name", ""), max_len=60)}
    for k in ("short", "summary"):
        out[k] = V.text(k, doc.get(k, ""), max_len=300, empty=True)
    document = doc.get("document") or {}
    if not isinstance(document, dict):
        raise ValidationError("项目方案文件的“document”应为一组设置。")
    out["document"] = {k: V.text(k, str(document[k]), max_len=200)
                       for k in ("title", "file", "issuer", "date") if document.get(k)}
    out["notes"] = [V.text("说明", n, max_len=300) for n in V.items("说明", doc.get("notes") or [])]
    raw = doc.get("rules")
    if not isinstance(raw, dict) or not raw:
        raise ValidationError("项目方案文件中没有规则（rules）。")
    rules = {key: check_rule(key, raw[key]) for key in raw}
    for key in sorted(ALWAYS_ON - set(rules)):
        raise ValidationError(f"项目方案缺少必备的规则“{BY_KEY[key].label}”（{key}）。")
    order = list(BY_KEY)
    out["rules"] = dict(sorted(rules.items(), key=lambda kv: order.index(kv[0])))
    _cross_checks(out["rules"])
    if isinstance(doc.get("based_on"), dict):
        out["based_on"] = {k: V.text(k, str(v), max_len=80) for k, v in doc["based_on"].items()
                           if k in ("preset_id", "preset_hash", "file_hash")}
    return out
