"""Typed read access to a programme (format_version 2): what each rule requires, if it is on.

Every reader (compliance, forms, reports, the window) asks this class, so a rule that is
off is off everywhere, and every finding can quote the sentence its rule comes from.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from app.errors import ValidationError
from app.services.programmes.schema import BY_KEY, ORIGINS


class Rules:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._rules: dict[str, dict[str, Any]] = data["rules"]

    # -- the programme itself -------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def document_title(self) -> str:
        return (self.data.get("document") or {}).get("title", "")

    @property
    def notes(self) -> list[str]:
        return list(self.data.get("notes") or [])

    # -- any rule -----------------------------------------------------------------------
    def is_on(self, key: str) -> bool:
        r = self._rules.get(key)
        return bool(r and r["on"])

    def value(self, key: str, default: Any = None) -> Any:
        r = self._rules.get(key)
        return r["value"] if r and r["on"] else default

    def rule(self, key: str) -> dict[str, Any] | None:
        return self._rules.get(key)

    def keys(self) -> list[str]:
        return list(self._rules)

    def source(self, key: str, element: str | None = None) -> str:
        """The sentence a rule (or one element of a list rule) comes from."""
        r = self._rules.get(key)
        if r is None:
            return ""
        if element is not None and isinstance(r["value"], list):
            ident = BY_KEY[key].element_id
            for el in r["value"]:
                if isinstance(el, dict) and el.get(ident) == element and el.get("source"):
                    return el["source"]
        return r.get("source", "")

    def basis(self, key: str, element: str | None = None) -> str:
        """依据 as the school reads it: the document and the quoted sentence."""
        r = self._rules.get(key)
        if r is None:
            return ""
        quote = self.source(key, element)
        if r["origin"] == "district":
            title = self.document_title or self.name
            return f"《{title}》：“{quote}”" if quote else f"《{title}》"
        label = ORIGINS.get(r["origin"], "")
        return f"{label}：{quote}" if quote else label

    # -- who must train -------------------------------------------------------------------
    @property
    def cycle(self) -> str:
        return self.value("cycle", "school_year")

    @property
    def staff_types(self) -> list[str] | None:
        return self.value("scope.staff_types")

    @property
    def internal_retired_excluded(self) -> bool:
        return bool(self.value("scope.internal_retired_excluded", False))

    @property
    def retired_before(self) -> str | None:
        return self.value("scope.retired_before")

    @property
    def retire_within(self) -> dict | None:
        return self.value("scope.retire_within")

    @property
    def opt_out(self) -> dict | None:
        return self.value("scope.opt_out")

    # -- hours ----------------------------------------------------------------------------
    @cached_property
    def categories(self) -> list[dict[str, Any]]:
        return list(self._rules["hours.categories"]["value"])

    @property
    def category_keys(self) -> list[str]:
        return [c["key"] for c in self.categories]

    @property
    def practice_keys(self) -> list[str]:
        return [c["key"] for c in self.categories if c.get("practice")]

    @property
    def total_min(self) -> float:
        return float(self.value("hours.total_min", 0) or 0)

    @property
    def practice_share(self) -> float | None:
        return self.value("hours.practice_share") if self.practice_keys else None

    @property
    def topic_minimums(self) -> list[dict[str, Any]]:
        return list(self.value("hours.topics", []))

    @property
    def window(self) -> dict | None:
        return self.value("hours.window")

    @property
    def category_windows(self) -> dict[str, dict]:
        return {w["category"]: w for w in self.value("hours.category_windows", [])}

    @property
    def elective_topic(self) -> dict | None:
        return self.value("hours.elective_topic")

    @property
    def record_max(self) -> float:
        return float(self.value("hours.record_max", 200) or 200)

    def check_category(self, category: str) -> str:
        if category not in self.category_keys:
            raise ValidationError(f"学时类别“{category}”不属于本校项目方案，可选：{'、'.join(self.category_keys)}。",
                                  field="category")
        return category

    # -- micro-abilities ------------------------------------------------------------------
    @property
    def micro_enabled(self) -> bool:
        return bool(self.value("micro.enabled", False))

    @property
    def micro(self) -> dict[str, Any] | None:
        """The selection rule as `choices.rule_problems` reads it; None when the programme has no points."""
        if not self.micro_enabled:
            return None
        count = self.value("micro.count") or {}
        rng = self.value("micro.range")
        return {"min_points": count.get("min"), "max_points": count.get("max"),
                "min_dimensions": self.value("micro.dimensions"),
                "environment_rule": "within" if self.value("micro.environment", False) else None,
                "min_beyond_a_in_rich": self.value("micro.rich_beyond_a", 0) or 0,
                "range": list(rng["codes"]) if rng and rng["codes"] else None}

    # -- what each teacher hands in --------------------------------------------------------
    @property
    def teacher_items(self) -> list[dict[str, Any]]:
        """Per-teacher documents, for every teacher that has any (also the opt-out document)."""
        return list(self.value("teacher.items", []))

    @property
    def teacher_activities(self) -> list[dict[str, Any]]:
        return list(self.value("teacher.activities", []))

    # -- assessment -----------------------------------------------------------------------
    @property
    def grading(self) -> dict[str, Any]:
        return self._rules["grading.scale"]["value"]

    @property
    def scale(self) -> list[str]:
        return list(self.grading["scale"])

    @property
    def assessment_required(self) -> bool:
        return bool(self.value("assessment.required", False))

    @property
    def pass_rate(self) -> float | None:
        return self.value("assessment.pass_rate") if self.assessment_required else None

    @property
    def support_required(self) -> bool:
        return self.assessment_required and bool(self.value("assessment.support", False))

    @property
    def excellent_share(self) -> float | None:
        return self.value("assessment.excellent_share")

    # -- the school -----------------------------------------------------------------------
    @property
    def documents(self) -> list[dict[str, Any]]:
        return list(self.value("school.documents", []))

    @property
    def teams(self) -> list[dict[str, Any]]:
        return list(self.value("school.teams", []))

    @property
    def first_responsible(self) -> bool:
        return bool(self.value("school.first_responsible", False))

    @property
    def study_groups(self) -> dict | None:
        return self.value("school.study_groups")

    @property
    def courses(self) -> dict | None:
        return self.value("school.courses")

    @property
    def participation(self) -> dict[str, float]:
        return dict(self.value("school.participation", {}))

    @property
    def completion_rate(self) -> float | None:
        return self.value("school.completion_rate")

    @property
    def deadlines(self) -> list[dict[str, Any]]:
        return list(self.value("school.deadlines", []))

    @property
    def self_assessment(self) -> list[dict[str, Any]]:
        return list(self.value("school.self_assessment", []))
