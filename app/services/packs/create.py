"""Writing a pack onto a stick, with the school's record of it.

Order, so that a kill at any step leaves the school and the stick consistent:

1. the database row, status 生成中 (with the pack's id, secret and document);
2. `<name>.partial/` on the stick: tisheng-pack.json, the README, the empty change and file folders,
   each fsynced; both files read back and compared;
3. the folder renamed to its final name;
4. the row marked 已发出, any pack it replaces marked 已作废, one audit line – in one transaction.

A final-named folder therefore always has a row. Running the same command again after an
interruption finishes the earlier pack if its folder got its final name, else removes the
unfinished folder and row and starts afresh, so a retry always ends with exactly one pack out.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from app.errors import RuleViolation, StorageError
from app.models import CollectionPack
from app.models.base import now
from app.models.pack import PACK_OUT, PACK_PENDING, PACK_WITHDRAWN
from app.services import faults
from app.services.bundle.device_read import hash_from_device
from app.services.bundle.destination import probe_destination
from app.services.bundle.safe_names import clean_component
from app.services.fileio import fsync_dir, os_errors, remove_tree
from app.services.packs import layout as L
from app.services.packs.document import PackDocument, parse_document
from app.services.packs.issue import Scope, build_document, resolve_scope
from app.services.packs.jsonio import dumps
from app.services.packs.mac import new_secret
from app.services.packs.registry import PackRow, audit, overlapping, pack_row, teacher_ids_of
from app.services.packs.state import PackState, build_state
from app.services.programmes.adjust import operator_name
from app.services.progress import NO_PROGRESS, Progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackPreview:
    """What a pack for this scope would hold (the window shows it before and after writing)."""
    scope: Scope
    state: PackState
    overlapping: tuple[PackRow, ...]

    @property
    def document(self) -> PackDocument:
        return self.state.document


@dataclass(frozen=True)
class CreateResult:
    pack: PackRow
    path: Path
    preview: PackPreview
    resumed: bool                    # an interrupted earlier run of the same pack was finished
    withdrawn: tuple[str, ...]

    def to_dict(self) -> dict:
        doc = self.preview.document
        return {"pack": self.pack.to_dict(), "path": str(self.path), "resumed": self.resumed,
                "withdrawn": list(self.withdrawn), "teachers": [
                    {"id": t.teacher.id, "name": t.teacher.name, "id_number": t.teacher.id_masked,
                     "staff_no": t.teacher.staff_no, "points": list(t.choices), "missing": t.todo}
                    for t in self.preview.state.teachers],
                "programme": doc.rules.name, "missing": len(self.preview.state.missing())}


def _preview(s: Session, scope: Scope) -> PackPreview:
    doc = parse_document(build_document(s, scope, pack_id="0" * 32, issued_by=""), where="采集包预览")
    others = tuple(pack_row(s, r) for r in overlapping(s, set(scope.teacher_ids)))
    return PackPreview(scope, build_state(doc, []), others)


def preview_pack(ws, *, point: str | None = None, group: str | None = None,
                 teachers: list[str] | None = None) -> PackPreview:
    with ws.sessions() as s:
        return _preview(s, resolve_scope(s, point=point, group=group, teachers=teachers))


def readme_text(doc: dict) -> bytes:
    names = "、".join(t["name"] for t in doc["teachers"])
    text = f"""这是“{doc['school']['name']}”发给{doc['scope']['kind']}“{doc['scope']['name']}”的证据采集包。

教师：{names}
生成时间：{doc['issued_at'].replace('T', ' ')}

怎样使用：
1. 在教学点的电脑上安装“提升工程2.0 整校推进助手”（与中心校相同的安装程序）。
2. 插入本U盘，打开软件：软件会自动打开本采集包（也可以在命令提示符中运行 tisheng-cli pack open 本文件夹）。
3. 为每位教师添加证据文件（可直接把文件拖进窗口）、登记学时和培训活动（含送教下乡）、调整能力点。
4. 全部做完后点击“完成采集”，再把U盘交回中心校。

请不要直接改动、移动或删除本文件夹中的文件：所有内容都要通过软件添加，
否则中心校合并时会因校验不符而拒收。身份证号已打码，本U盘中没有完整的身份证号。
""".replace("\n", "\r\n")
    return "\ufeff".encode("utf-8") + text.encode("utf-8")


def _folder_name(dest: Path, scope: Scope, when: datetime) -> str:
    base = clean_component(f"{L.FOLDER_PREFIX}{scope.name}-{when:%Y%m%d}", fallback="采集包", limit=48)
    name, n = base, 1
    while (dest / name).exists() or (dest / f"{name}{L.PARTIAL}").exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _write_folder(final: Path, doc: dict, secret: str) -> None:
    partial = final.with_name(final.name + L.PARTIAL)
    pack_bytes = dumps(doc | {"secret": secret})
    readme = readme_text(doc)
    with os_errors(partial, "在U盘上写入采集包"):
        if partial.exists():
            remove_tree(partial)
        partial.mkdir(parents=True)
        for rel, data in ((L.PACK_FILE, pack_bytes), (L.README, readme)):
            with open(partial / rel, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            faults.hit("pack.create.file")
        for rel in (L.CHANGES_DIR, L.FILES_DIR):
            partial.joinpath(*rel.split("/")).mkdir(parents=True, exist_ok=True)
        fsync_dir(partial)
        import hashlib
        for rel, data in ((L.PACK_FILE, pack_bytes), (L.README, readme)):
            if hash_from_device(partial / rel)[0] != hashlib.sha256(data).hexdigest():
                raise StorageError("写入后回读校验失败：U盘上的采集包与写入的内容不一致。U盘可能已损坏或被拔出，"
                                   "请换一个U盘重试。")
        faults.hit("pack.create.readback")
        _rename(partial, final)
        fsync_dir(final.parent)
    faults.hit("pack.create.renamed")


def _rename(src: Path, dst: Path, attempts: int = 5) -> None:
    """os.rename, retried briefly: antivirus or the indexer may hold a new file open (WinError 5/32)."""
    import time
    for i in range(attempts):
        try:
            os.rename(src, dst)
            return
        except PermissionError:
            if i == attempts - 1:
                raise
            time.sleep(0.3 * (i + 1))


def _folder_holds(folder: Path, pack_id: str) -> bool:
    try:
        raw = json.loads((folder / L.PACK_FILE).read_text(encoding="utf-8"))
        return raw.get("pack_id") == pack_id and (folder / L.README).is_file()
    except (OSError, ValueError):
        return False


def settle_pending(ws) -> list[int]:
    """Finish or drop the rows of packs whose writing was interrupted; returns the ids finished.

    A row whose folder has its final name becomes 已发出; one whose folder never got it is removed
    with its `.partial` folder, but only when the stick it was written to is present (a pack on a
    stick that is not plugged in stays 生成中 until it is)."""
    finished = []
    with ws.sessions() as s:
        for row in s.exec(select(CollectionPack).where(CollectionPack.status == PACK_PENDING)).all():
            folder = Path(row.folder)
            if _folder_holds(folder, row.pack_id):
                row.status = PACK_OUT
                s.add(row)
                audit(s, "pack-create", {"pack_id": row.pack_id, "scope": f"{row.scope_kind} {row.scope_name}",
                                         "teachers": len(teacher_ids_of(row)), "folder": row.folder,
                                         "by": row.created_by, "finished_after_interruption": True})
                finished.append(row.id)
            elif folder.parent.is_dir() and not folder.exists():
                remove_tree(folder.with_name(folder.name + L.PARTIAL))
                s.delete(row)
        s.commit()
    return finished


def create_pack(ws, dest: str | Path, *, point: str | None = None, group: str | None = None,
                teachers: list[str] | None = None, by: str = "", replace: bool = False,
                progress: Progress = NO_PROGRESS) -> CreateResult:
    by = operator_name(by)
    finished = settle_pending(ws)
    with ws.sessions() as s:
        scope = resolve_scope(s, point=point, group=group, teachers=teachers)
        destination = probe_destination(dest)
        for row in (s.get(CollectionPack, i) for i in finished):
            if (row.scope_kind, row.scope_name, teacher_ids_of(row)) == (scope.kind, scope.name,
                                                                       list(scope.teacher_ids)) \
                    and Path(row.folder).parent == destination.path:
                return CreateResult(pack_row(s, row), Path(row.folder), _preview(s, scope), True, ())
        others = overlapping(s, set(scope.teacher_ids))
        if others and not replace:
            raise RuleViolation("这些教师已有尚未收回的采集包，未生成新的：", details=[
                f"{r.scope_kind}“{r.scope_name}”（{r.created_at:%Y-%m-%d} 生成，编号 {r.pack_id[:8].upper()}）"
                for r in others] + ["如果那个采集包已丢失或不再使用，可以作废它（勾选“作废原采集包”）："
                                    "原采集包作废，交回时不再合并。"], cli_hint="作废原采集包请加 --replace。")
        progress.report(1, 4, "正在读取教师记录")
        pack_id, secret, when = os.urandom(16).hex(), new_secret(), datetime.now().replace(microsecond=0)
        doc = build_document(s, scope, pack_id=pack_id, issued_by=by, issued_at=when)
        final = destination.path / _folder_name(destination.path, scope, when)
        row = CollectionPack(pack_id=pack_id, scope_kind=scope.kind, scope_name=scope.name,
                             teacher_ids=json.dumps(list(scope.teacher_ids)), secret=secret,
                             issued_json=json.dumps(doc, ensure_ascii=False), folder=str(final),
                             status=PACK_PENDING, created_by=by, created_at=when)
        s.add(row)
        s.commit()
        row_id = row.id
    faults.hit("pack.create.row")
    progress.report(2, 4, "正在写入U盘")
    try:
        _write_folder(final, doc, secret)
    except BaseException:
        remove_tree(final.with_name(final.name + L.PARTIAL))
        with ws.sessions() as s:
            stale = s.get(CollectionPack, row_id)
            if stale is not None and not final.exists():
                s.delete(stale)
                s.commit()
        raise
    progress.report(3, 4, "正在记录")
    with ws.sessions() as s:
        row = s.get(CollectionPack, row_id)
        withdrawn = []
        for other in overlapping(s, set(scope.teacher_ids)):
            if other.id != row_id:
                other.status, other.withdrawn_at = PACK_WITHDRAWN, now()
                s.add(other)
                withdrawn.append(f"{other.scope_kind}“{other.scope_name}”（{other.created_at:%Y-%m-%d}）")
        row.status = PACK_OUT
        s.add(row)
        audit(s, "pack-create", {"pack_id": pack_id, "scope": f"{scope.kind} {scope.name}",
                                 "teachers": len(scope.teacher_ids), "folder": str(final), "by": by,
                                 "withdrawn": withdrawn})
        faults.hit("pack.create.commit")
        s.commit()
        result = CreateResult(pack_row(s, row), final, PackPreview(scope, build_state(parse_document(doc), []), ()),
                              False, tuple(withdrawn))
    progress.report(4, 4, "采集包已生成")
    return result
