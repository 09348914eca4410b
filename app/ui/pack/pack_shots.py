"""`tisheng gui --screenshot`: the collecting window (each tab and its forms) and the merge preview.

Drawn on a sample scene (services.packs.sample) built in a scratch folder from a copy of the
school's database, so taking screenshots never writes to the school's data or to a stick.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from app.ui import jobs

log = logging.getLogger(__name__)


def _run(fn):
    box: dict = {}
    jobs.run_in_background(None, fn, on_done=lambda r: box.setdefault("r", r),
                           on_failed=lambda e: box.setdefault("e", e))
    jobs.wait_idle(120000)
    if "e" in box:
        raise box["e"]
    return box.get("r")


def shoot_packs(window, out_dir: Path, grab, shot) -> list:
    """Screenshots of the pack window and the merge preview; `grab(widget, path)` and `shot(name, widget, path)`
    are the caller's (screenshots.py) so sizes and layout checks are the same as for every page."""
    from app.services.packs.folder import PackFolder
    from app.services.packs.sample import build_sample
    from app.services.workspace import Workspace
    from app.ui.pack.merge_dialog import MergeDialog
    from app.ui.pack.pack_dialogs import PackActivityDialog, PackHoursDialog
    from app.ui.pack.pack_window import PackWindow
    from app.ui.widgets.screen_fit import available_rect, available_size
    scratch = Path(tempfile.mkdtemp(prefix="tisheng-pack-shots-"))
    shots = []
    ws = None
    try:
        data, pack_path = _run(lambda ctx: build_sample(window.ws.paths.database, scratch))
        pack = _run(lambda ctx: PackFolder.open(pack_path))
        pw = PackWindow(pack)
        pw.move(available_rect(pw).topLeft())
        pw.resize(available_size(pw))
        pw.show()
        for i, name in enumerate(("证据材料", "学时与活动", "能力点", "还缺什么")):
            pw.tabs.setCurrentIndex(i)
            shots.append(shot(f"采集窗口 › {name}", pw, grab(pw, out_dir / f"采集窗口-{name}.png"), "页面"))
        for name, make in (("登记学时", lambda: PackHoursDialog(pack, pack.document.teachers[0], "", pw)),
                           ("登记培训活动", lambda: PackActivityDialog(pack, [pack.document.teachers[0].id], "", pw))):
            dialog = make()
            dialog.show()
            shots.append(shot(f"采集窗口 › {name}", dialog, grab(dialog, out_dir / f"采集窗口-{name}.png"), "对话框"))
            dialog.reject()
        pw.close()
        pw.deleteLater()
        ws = _run(lambda ctx: Workspace.open(data))
        dialog = MergeDialog(ws, window, str(pack_path))
        dialog.show()
        dialog.run_preview()
        jobs.wait_idle(120000)
        shots.append(shot("学校信息 › 合并采集包（预览）", dialog, grab(dialog, out_dir / "学校信息-合并采集包预览.png"),
                          "对话框"))
        dialog.reject()
    except Exception:                                  # noqa: BLE001 - the other screenshots still count
        log.exception("screenshot: the pack scene could not be built")
    finally:
        if ws is not None:
            ws.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return shots
