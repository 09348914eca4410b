"""bundle.json's records are written a row at a time; each row's text must be byte for byte what
json.dumps(document, ensure_ascii=False, indent=1) writes for it at its depth (the C-encoder path
for flat rows included)."""

from __future__ import annotations

import json
import random

from app.services.bundle.records import _fragment, plain

ODD = "王芳\"\\\n\t\x01\x7fé😀ab1 /<>&\u2028"


def _value(rnd: random.Random):
    return rnd.choice([None, True, False, rnd.randrange(-10 ** 15, 10 ** 15), rnd.random() * 1e6, 1e300, 0.1, -0.0,
                       "".join(rnd.choice(ODD) for _ in range(rnd.randrange(0, 14))), ""])


def test_every_row_is_written_as_json_dumps_with_indent_would():
    rnd = random.Random(20261207)
    for _ in range(5000):
        row = {(f"k{j}" if rnd.random() < .9 else f"键\"\n{j}"): _value(rnd) for j in range(rnd.randrange(0, 10))}
        if rnd.random() < 0.15:
            row["nested"] = [_value(rnd), {"x": _value(rnd), "y": []}]
        for depth in (0, 1, 2, 3):
            expected = json.dumps(row, ensure_ascii=False, indent=1, default=plain)
            assert _fragment(row, depth) == expected.replace("\n", "\n" + " " * depth).encode("utf-8")

