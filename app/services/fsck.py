"""`fsck`: every stored file a record uses is there and matches its SHA-256; orphans listed.

Damaged files are moved to store/damaged/ (never deleted); missing ones are copied back
from a full backup when it has them, each checked against its hash. Orphans (store files
no record uses, and leftovers of interrupted copies) are listed, and deleted only when
asked.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import select

from app.models import Blob
from app.services import faults
from app.services.backup.source import BackupRejected, open_backup_source
from app.services.backup.staging import copy_stream
from app.services.blobs import blob_in_use, referenced_blobs
from app.services.dbcheck import check_database
from app.services.fileio import fsync_dir, os_errors, remove_tree, replace_with_retry, sha256_file
from app.services.progress import NO_PROGRESS, Progress
from app.services.store import blob_relpath, is_sha256

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileProblem:
    kind: str                      # "missing" | "corrupt" | "orphan" | "leftover"
    sha256: str
    size: int
    records: tuple[str, ...] = ()  # which records use it (Chinese descriptions)
    fixed: str = ""                # "restored" | "removed" | "set-aside" | ""
    path: str = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "sha256": self.sha256, "size": self.size, "records": list(self.records),
                "fixed": self.fixed, "path": self.path}


@dataclass
class FsckReport:
    database_problem: str | None
    files_checked: int
    problems: list[FileProblem]
    hashes_checked: bool = True

    @property
    def unresolved(self) -> list[FileProblem]:
        return [p for p in self.problems if p.kind in ("missing", "corrupt") and p.fixed != "restored"]

    @property
    def orphans(self) -> list[FileProblem]:
        return [p for p in self.problems if p.kind in ("orphan", "leftover")]

    @property
    def ok(self) -> bool:
        return self.database_problem is None and not self.unresolved

    def lines(self) -> list[str]:
        out = [f"数据库：{'完好' if self.database_problem is None else self.database_problem}",
               f"检查了 {self.files_checked} 个证据文件" + ("（逐个核对校验值）" if self.hashes_checked else "（只检查是否存在）")]
        labels = {"missing": "缺失", "corrupt": "已损坏", "orphan": "无记录引用", "leftover": "中断操作的残留"}
        fixes = {"restored": "已从备份找回", "removed": "已删除", "set-aside": "已移到 store/damaged",
                 "": "未处理"}
        for p in self.problems:
            where = "；".join(p.records[:3]) + (f" 等 {len(p.records)} 处" if len(p.records) > 3 else "")
            out.append(f"  [{labels[p.kind]}] {p.sha256[:16]}…（{p.size} 字节）{('：' + where) if where else ''}"
                       f" —— {fixes.get(p.fixed, p.fixed)}")
        if self.ok and not self.orphans:
            out.append("一切正常：每个证据文件都在，且内容与记录一致。")
        elif self.unresolved:
            out.append(f"有 {len(self.unresolved)} 个证据文件缺失或损坏。如有完整备份，可从完整备份找回；"
                       "否则请重新添加这些文件。")
        if self.orphans and not all(p.fixed == "removed" for p in self.orphans):
            out.append(f"有 {len(self.orphans)} 个文件没有任何记录引用（不影响使用），可以删除以释放空间。")
        return out

    def cli_hints(self) -> list[str]:
        """What to type next (the command line prints these after lines())."""
        out = []
        if self.unresolved:
            out.append("从完整备份找回：tisheng fsck --from-backup 完整备份文件夹")
        if self.orphans and not all(p.fixed == "removed" for p in self.orphans):
            out.append("删除无记录引用的文件：tisheng fsck --remove-orphans")
        return out

    def to_dict(self) -> dict:
        return {"ok": self.ok, "database_problem": self.database_problem, "files_checked": self.files_checked,
                "hashes_checked": self.hashes_checked, "problems": [p.to_dict() for p in self.problems],
                "unresolved": len(self.unresolved), "orphans": len(self.orphans)}


def fsck(ws, *, remove_orphans: bool = False, from_backup: str | os.PathLike | None = None,
         verify_hashes: bool = True, progress: Progress = NO_PROGRESS) -> FsckReport:
    """Check every evidence file (EvidenceFile, PlanDocument, ActivityFile -> Blob -> store file).

    Damaged files are moved to store/damaged/ (never deleted); missing ones are copied back
    from `from_backup` (a full backup folder/zip or a copied data folder) when it has them,
    each checked against its SHA-256. Orphans (store files no record uses, and leftovers of
    interrupted copies) are listed, and deleted only with remove_orphans. Run it on the
    serial database lane: it must not overlap an evidence add in the same process.
    """
    paths = ws.paths
    db_problem = check_database(paths.database, full=True)
    refs = referenced_blobs(paths.database)
    used = {sha: where for sha, where in refs.items() if where}
    problems: list[FileProblem] = []
    store = paths.store
    total = sum(_size_of(ws, sha) for sha in used) or 1
    done = 0
    bad: dict[str, FileProblem] = {}
    for i, (sha, where) in enumerate(sorted(used.items())):
        size = _size_of(ws, sha)
        if not is_sha256(sha):           # a damaged value: no path is built from it (it could hold "../")
            bad[sha] = FileProblem("missing", sha, size, tuple(where) + ("（记录的校验值已损坏）",))
            done += size
            continue
        path = store / blob_relpath(sha)
        if not path.is_file():
            bad[sha] = FileProblem("missing", sha, size, tuple(where))
        elif verify_hashes:
            with os_errors(path):
                actual = sha256_file(path, progress)
            if actual != sha:
                damaged = store / "damaged" / f"{sha}-{datetime.now():%Y%m%d-%H%M%S}"
                with os_errors(path):
                    damaged.parent.mkdir(parents=True, exist_ok=True)
                    replace_with_retry(path, damaged)
                bad[sha] = FileProblem("corrupt", sha, size, tuple(where), "set-aside", str(damaged))
        done += size
        progress.report(done, total, f"正在核对证据文件 {i + 1}/{len(used)}")
    if bad and from_backup is not None:
        with open_backup_source(from_backup) as src:
            if src.kind == "database":
                raise BackupRejected("找回证据文件需要完整备份（tisheng-full-… 文件夹或其压缩包），"
                                     "数据库备份里没有证据文件。",
                                     cli_hint="--from-backup 后面写完整备份的文件夹或压缩包。")
            available = {e.path.rsplit("/", 1)[1]: e for e in src.entries if e.path.startswith("store/")}
            for sha, prob in list(bad.items()):
                entry = available.get(sha) if is_sha256(sha) else None
                if entry is None:
                    continue
                dst = store / blob_relpath(sha)
                try:
                    with src.open(entry) as fin:
                        copy_stream(fin, dst, sha, entry.size, entry.path, tmp_dir=store / "incoming")
                    fsync_dir(dst.parent)
                except BackupRejected as exc:
                    log.warning("backup copy of %s unusable: %s", sha, exc.user_message)
                    continue
                bad[sha] = FileProblem(prob.kind, sha, prob.size, prob.records, "restored", str(dst))
                faults.hit("fsck.restored")
    problems.extend(bad.values())
    # orphans: store files no record uses
    for sha in sorted(ws.store.all_hashes() - set(used)):
        path = store / blob_relpath(sha)
        size = path.stat().st_size if path.exists() else 0
        fixed = ""
        if remove_orphans:
            fixed = _remove_orphan(ws, sha)
        problems.append(FileProblem("orphan", sha, size, (), fixed, str(path)))
    incoming = store / "incoming"
    if incoming.is_dir():
        for p in sorted(incoming.iterdir()):
            fixed = ""
            if remove_orphans:
                remove_tree(p)
                fixed = "removed"
            problems.append(FileProblem("leftover", "", _stat_size(p), (), fixed, str(p)))
    if remove_orphans:
        _drop_unused_blob_rows(ws)
    return FsckReport(db_problem, len(used), problems, verify_hashes)


def _stat_size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def _size_of(ws, sha: str) -> int:
    with ws.sessions() as s:
        blob = s.get(Blob, sha)
        return blob.size if blob is not None else 0


def _remove_orphan(ws, sha: str) -> str:
    with ws.sessions() as s:
        if blob_in_use(s, sha):          # a record appeared meanwhile: keep the file
            return ""
    ws.store.remove(sha)
    return "removed"


def _drop_unused_blob_rows(ws) -> None:
    with ws.sessions() as s:
        for blob in s.exec(select(Blob)).all():
            if not blob_in_use(s, blob.sha256) and not ws.store.has(blob.sha256):
                s.delete(blob)
        s.commit()
