"""Programmes (rule profiles) as data: the shipped presets, the school's copy, and its adjustments.

A preset is copied into the school's database when the school picks it; the school may then
adjust it (`adjust`), and every reader asks `Rules`, so requirements stay data. Each rule
carries the sentence of the district's document it comes from.
"""

from app.services.programmes.document import check_programme, programme_hash
from app.services.programmes.presets import (DEFAULT_PRESET, PresetInfo, list_presets, load_preset, preset_hash,
                                             preset_ids)
from app.services.programmes.rules import Rules
from app.services.programmes.store import current_rules, install_programme

__all__ = ["DEFAULT_PRESET", "PresetInfo", "Rules", "check_programme", "current_rules", "install_programme",
           "list_presets", "load_preset", "preset_hash", "preset_ids", "programme_hash"]
