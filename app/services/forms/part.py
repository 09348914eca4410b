"""One part of a print run: laid out, then saved once the seal is known (through `<file>.partial`).

Run by the forms layout process (worker.py) and, when no process can be started, by
the exporter's own thread (sealjob.py): both call `write_part`.
"""

from __future__ import annotations

import os

from app.services.progress import Progress
from app.services.seal import SealInfo


def write_part(fs, dest: str, kinds, pending: SealInfo, seal_later, progress: Progress):
    """Lay out `fs` and save it to `dest` once `seal_later()` gives the seal:
    (pages, warnings, ((bookmark title, first page, pages), ...)). `fs` may be a one-item
    list, handed on to render (which empties it) so the data is freed as it is laid out."""
    from app.services.forms.render import render
    tmp = dest + ".partial"
    try:
        with open(tmp, "wb") as fh:
            result = render(fs, fh, kinds=kinds, seal=pending, seal_later=seal_later, progress=progress)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass
    forms = tuple((f.title + (f" · {f.who}" if f.who else ""), f.first_page, f.pages) for f in result.forms)
    return result.pages, tuple(result.warnings), forms
