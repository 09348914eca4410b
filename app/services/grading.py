"""The grading rule: item grades → point result → teacher result. Pure functions.

A point is 不合格 if any required item is missing or failed, 优秀 only if every
item is 优秀, and otherwise takes its worst item grade (so a scale with 良好
works too). Results before grading are 未提交 (nothing to grade yet) or 待评.
"""

from __future__ import annotations

NOT_SUBMITTED = "未提交"
PENDING = "待评"
EXEMPT = "免修"
NOT_CHOSEN = "未选点"


def worst(grades: list[str], scale: list[str]) -> str:
    return max(grades, key=lambda g: scale.index(g) if g in scale else len(scale))


def point_result(items: list[tuple[bool, str | None]], scale: list[str], fail: str) -> str:
    """items: (has_evidence, latest grade or None) for every required item of the point."""
    if not items:
        return PENDING
    graded = [g for _, g in items if g]
    if fail in graded:
        return fail
    if any(not has and not g for has, g in items):
        return fail if graded else NOT_SUBMITTED
    if len(graded) < len(items):
        return PENDING
    return worst(graded, scale)


def combine(results: list[str], scale: list[str], fail: str) -> str:
    """A teacher's overall result from the results of their points and personal items."""
    if not results:
        return NOT_CHOSEN
    if fail in results:
        return fail
    if NOT_SUBMITTED in results:
        return NOT_SUBMITTED
    if PENDING in results:
        return PENDING
    return worst(results, scale)


def is_pass(result: str, passing: list[str]) -> bool:
    return result in passing
