"""The two masks every export applies to personal data, or none when the user asks for full data."""

from __future__ import annotations

from collections.abc import Callable

from app.services.validation.id_number import mask_id_number
from app.services.validation.values import mask_phone

Mask = Callable[[str | None], str]


def personal_masks(unmask: bool) -> tuple[Mask, Mask]:
    """(ID number mask, phone mask): masked by default, the values unchanged with `unmask`."""
    if unmask:
        def keep(v: str | None) -> str:
            return v or ""
        return keep, keep
    return mask_id_number, mask_phone
