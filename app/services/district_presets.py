"""Which programme preset a school's district most likely runs, from the district it typed.

The set-up wizard pre-selects it (the user can still choose another): a school
in 大连市瓦房店市 gets the 瓦房店 programme without hunting for it in a list.
Only the districts whose documents the presets were written from are known.
"""

from __future__ import annotations

import unicodedata

# (words any of which names the district, preset id), most specific first.
DISTRICT_PRESETS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("瓦房店",), "wafangdian-2023"),
    (("徐汇",), "xuhui-2021"),
    (("宁德", "蕉城", "东侨", "福安", "福鼎", "霞浦", "古田", "屏南", "寿宁", "周宁", "柘荣"), "ningde-2016"),
    (("滨城", "滨州", "滕州"), "bincheng-internet-plus"),
)


def preset_for_district(district: str, known: set[str] | frozenset[str] | None = None) -> str | None:
    """The preset id for a typed district (e.g. 大连市瓦房店市 → wafangdian-2023), or None.

    `known` limits the answer to presets that exist (the list may change between versions).
    """
    text = "".join(unicodedata.normalize("NFKC", district or "").split())
    if not text:
        return None
    for words, preset in DISTRICT_PRESETS:
        if any(w in text for w in words) and (known is None or preset in known):
            return preset
    return None
