"""Validation of everything a person types or imports; messages are Chinese."""

from app.services.validation.id_number import mask_id_number, normalize_id_number, validate_id_number
from app.services.validation.masking import personal_masks
from app.services.validation.values import (mask_phone, parse_date, validate_hours, validate_phone,
                                            normalize_text)

__all__ = ["mask_id_number", "mask_phone", "normalize_id_number", "normalize_text", "parse_date", "personal_masks",
           "validate_hours", "validate_id_number", "validate_phone"]
