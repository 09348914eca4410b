"""Programmes (rule profiles) as data: the shipped presets, the school's copy, and its adjustments.

A preset is copied into the school's database when the school picks it; the school may then
adjust it (`adjust`), and every reader asks `Rules`, so requirements stay data. Each rule
carries the sentence of the district's document it comes from.
"""

import importlib

# Loaded on first use (PEP 562): importing a light part such as `presets` or `document` must not
# load the database layer that `store` needs (`tisheng verify` reads programmes without it).
_HOMES = {"check_programme": "document", "programme_hash": "document", "DEFAULT_PRESET": "presets",
          "PresetInfo": "presets", "list_presets": "presets", "load_preset": "presets", "preset_hash": "presets",
          "preset_ids": "presets", "Rules": "rules", "current_rules": "store", "install_programme": "store"}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = sorted(_HOMES)
