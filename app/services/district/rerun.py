"""Re-check every current bundle again (after the district changed or replaced its programme)."""

from __future__ import annotations

import json

from sqlmodel import select

from app.models.district import ReceivedBundle
from app.services.district.bundle_doc import load_kept
from app.services.district.office import require_office
from app.services.district.recheck import recheck
from app.services.programmes.store import applied_doc
from app.services.progress import NO_PROGRESS, Progress


def recheck_all(ws, progress: Progress = NO_PROGRESS) -> int:
    """Re-run the re-check of every unit's current bundle; returns how many were re-checked."""
    with ws.sessions() as s:
        require_office(s)
        rules = applied_doc(s)
        todo = [(b.id, b.records_dir, b.school_name) for b in
                s.exec(select(ReceivedBundle).where(ReceivedBundle.current == True))]  # noqa: E712
    results = {}
    for n, (bid, folder, name) in enumerate(todo, 1):
        progress.report(n - 1, len(todo), f"正在复核 {name}")
        try:
            results[bid] = recheck(load_kept(ws, folder), rules)
        except Exception as exc:                          # noqa: BLE001 - e.g. its records copy is gone
            results[bid] = {"ok": False, "error": getattr(exc, "user_message", type(exc).__name__), "differences": 0}
    with ws.sessions() as s:
        for bid, result in results.items():
            b = s.get(ReceivedBundle, bid)
            b.recheck_json = json.dumps(result, ensure_ascii=False)
            b.recheck_differences = int(result.get("differences", 0) or 0)
            s.add(b)
        s.commit()
    progress.report(len(todo), len(todo), "复核完成", force=True)
    return len(results)
