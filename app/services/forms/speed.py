"""Memoised number formatting for reportlab (identical output, less work).

Without reportlab's optional C accelerator (the `rl_accel` package), every
coordinate written into a PDF goes through the pure-Python `fp_str`, which takes
a logarithm and formats a string each time. A form repeats the same few
coordinates (column edges, row baselines, font sizes) thousands of times, so a
bounded memo of this pure function removes about a fifth of the work of a
1,000-teacher print run. Output bytes are unchanged.
"""

from __future__ import annotations

import importlib

_MODULES = ("reportlab.lib.rl_accel", "reportlab.pdfgen.canvas", "reportlab.pdfgen.textobject",
            "reportlab.pdfgen.pathobject", "reportlab.pdfbase.pdfdoc", "reportlab.pdfbase.ttfonts",
            "reportlab.platypus.tables", "reportlab.platypus.flowables", "reportlab.lib.colors")
_LIMIT = 200_000


def memoised(orig):
    if getattr(orig, "_tisheng_memo", False):
        return orig
    cache: dict = {}

    def fp_str(*a):
        try:
            return cache[a]
        except KeyError:
            r = orig(*a)
            if len(cache) < _LIMIT:
                cache[a] = r
            return r
        except TypeError:                      # a list argument: not hashable
            return orig(*a)

    fp_str._tisheng_memo = True
    fp_str.__wrapped__ = orig
    return fp_str


def install() -> None:
    from reportlab.lib import rl_accel
    if getattr(rl_accel.fp_str, "_tisheng_memo", False):
        return
    if getattr(rl_accel.fp_str, "__module__", "") != rl_accel.__name__:
        return                                 # the C accelerator is installed: nothing to gain
    fast = memoised(rl_accel.fp_str)
    for name in _MODULES:
        mod = importlib.import_module(name)
        if getattr(mod, "fp_str", None) is not None and not getattr(mod.fp_str, "_tisheng_memo", False):
            mod.fp_str = fast
