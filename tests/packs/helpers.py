"""Building the test school, filling a pack as a teaching point would, and spoiling returns."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from app.services import school, teams
from app.services.packs import collect, seal
from app.services.packs.folder import PackFolder
from app.services.teachers import add_teacher
from tests.reliability.helpers import build_small_school, db_signature, store_hashes, valid_id, write_file

POINT = "东山教学点"
GROUP = "数学组"


def build_point_school(base: Path) -> Path:
    """测试学校: T000–T002 at 东山教学点 (points A1 A3 A6, two files each), T100 at the school itself."""
    from app.services.workspace import Workspace
    root = base / "central"
    with Workspace.open(root) as ws:
        build_small_school(ws, base / "src")
        add_teacher(ws, name="本部老师", id_number=valid_id(40), staff_no="T100", subject="数学")
        p = school.add_teaching_point(ws, POINT)
        from app.services.teachers import list_teachers
        at_point = [t.id for t in list_teachers(ws) if t.staff_no in ("T000", "T001", "T002")]
        school.assign_teaching_point(ws, p.id, at_point)
        g = teams.save_group(ws, None, name=GROUP, subject="数学")
        teams.join_group(ws, g.id, [t.id for t in list_teachers(ws) if t.staff_no in ("T001", "T100")])
    return root


def category(pack: PackFolder, practice: bool = False) -> str:
    rules = pack.document.rules
    return (rules.practice_keys or rules.category_keys)[0] if practice else rules.category_keys[0]


def fill(pack_path: Path, src: Path, *, by: str = "王老师") -> dict:
    """What the 'Done when' teaching point does: files, hours, an activity, a changed choice; then 完成采集."""
    pack = PackFolder.open(pack_path)
    video = write_file(src, "课堂实录.mp4", os.urandom(200_000))
    report = write_file(src, "学情分析报告.docx", b"report " * 500)
    photo = write_file(src, "送教下乡签到表.jpg", b"\xff\xd8" + os.urandom(3000))
    collect.attach_files(pack, "T000", "2", [report], point="A1", by=by)
    collect.attach_files(pack, "T001", "1", [video], point="A6", by=by)
    collect.add_hours(pack, "T000", category=category(pack), hours=12, on_date="2026-11-02", note="网络课程", by=by)
    collect.add_activity(pack, title="送教下乡：数学示范课", kind="送教下乡", on_date="2026-11-05", hours=3,
                         category=category(pack, practice=True), teachers=["T000", "T001", "T002"], files=[photo],
                         by=by)
    collect.set_choices(pack, "T002", ["A1", "A3", "A5"], by=by)
    result = seal.seal(pack, by=by)
    return {"video": video, "report": report, "photo": photo, "seal": result}


def school_state(root: Path) -> tuple[dict, dict]:
    """Every record (audit log included) and every stored file of a data folder."""
    return db_signature(root / "tisheng.sqlite3", skip=()), store_hashes(root)


def tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def reseal(bag: Path, secret: str | None = None, *, manifest: bool = True, tags: bool = True) -> None:
    """After editing a return bag: rewrite its manifest, tag manifest and (given the secret, as a holder of
    the stick could) its HMAC, so that only the check under test can refuse it."""
    from app.services.bundle import layout as BL
    from app.services.packs import layout as L
    from app.services.packs.mac import mac_file_bytes, return_mac
    info = BL.parse_bag_info((bag / BL.BAG_INFO).read_bytes())
    if manifest:
        payload = {p.relative_to(bag).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                   for p in sorted((bag / "data").rglob("*")) if p.is_file()}
        (bag / BL.MANIFEST).write_bytes(BL.manifest_bytes(payload))
    if tags:
        tag = {n: hashlib.sha256((bag / n).read_bytes()).hexdigest() for n in (BL.BAGIT_TXT, BL.BAG_INFO, BL.MANIFEST)}
        (bag / BL.TAGMANIFEST).write_bytes(BL.manifest_bytes(tag))
    if secret:
        mac = return_mac(secret, info["Tisheng-Pack-Id"], int(info["Tisheng-Return-Seq"]),
                         (bag / BL.TAGMANIFEST).read_bytes())
        (bag / L.HMAC_FILE).write_bytes(mac_file_bytes(mac))


def edit_changes(bag: Path, edit) -> None:
    """Apply `edit(body)` to a return bag's changes.json."""
    import json
    path = bag / "data" / "changes.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    edit(body)
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")


def secret_of(pack_path: Path) -> str:
    import json
    from app.services.packs import layout as L
    return json.loads((pack_path / L.PACK_FILE).read_text(encoding="utf-8"))["secret"]
