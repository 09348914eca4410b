"""Full backups: a BagIt bag a school can carry to a new PC on a USB stick.

    tisheng-full-<code>-<YYYYmmdd-HHMMSS>/
        bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
        README-请先阅读.txt  [tisheng-missing.txt]
        data/tisheng.sqlite3            a checked snapshot of the database
        data/store/ab/cd/<sha256>       every stored file the snapshot refers to
        data/keys/…                     the school's signing key

Written by the bundle's BagIt writer (bundle/bag_writer.DirSink): under
`<name>.partial/`, every file fsynced and read back from the device, renamed last, so
a pulled stick leaves a `.partial` folder that restore refuses and the next full backup
resumes (files already there and intact are kept). Anyone can check one with the
public `bagit` tool. bag-info.txt says `Tisheng-Backup-Format: 2`; format 1 (a
manifest.json beside store/ and keys/) is still read by source.py.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app import __version__
from app.dbfile import connect_readonly
from app.errors import StorageError
from app.paths import DataPaths
from app.services import faults
from app.services.backup.snapshot import BackupFailed, BackupResult, probe_writable, snapshot_database
from app.services.blobs import referenced_blobs
from app.services.bundle import layout as L
from app.services.bundle.bag_writer import DirSink, ReadbackError
from app.services.fileio import describe_os_error, remove_tree, sha256_file
from app.services.progress import Progress
from app.services.store import blob_relpath, is_sha256

log = logging.getLogger(__name__)

FULL_PREFIX = "tisheng-full-"
BACKUP_FORMAT = "2"                   # bag-info.txt Tisheng-Backup-Format
FORMAT_FIELD = "Tisheng-Backup-Format"
DB_NAME = "tisheng.sqlite3"
MISSING_NAME = "tisheng-missing.txt"  # tag file: stored files the database names but the store lacked
README_NAME = L.README
# format 1 (read only, by source.py)
FULL_FORMAT = "tisheng-full-backup"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class _Planned:
    rel: str                  # path inside the bag, "data/…"
    source: Path
    sha256: str
    size: int
    evidence: bool            # a stored file (may vanish from the store meanwhile)


def _safe_code(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-]", "", code or "")[:16]


def _school_of(db: Path) -> dict:
    try:
        con = connect_readonly(db)
        try:
            row = con.execute("SELECT name, code FROM school LIMIT 1").fetchone()
            version = con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return {}
    return {"name": row[0], "code": row[1], "schema_version": version} if row else \
        {"schema_version": version}


def _readme(name: str, school: dict, files: int, size: int) -> bytes:
    text = (f"提升工程2.0 整校推进助手：完整备份 {name}\r\n\r\n"
            f"学校：{school.get('name', '')}（{school.get('code', '')}）\r\n"
            f"内容：数据库、{files - 1} 个证据及密钥文件，共 {size / 1024 / 1024:.1f} MB（都在 data 文件夹中）。\r\n\r\n"
            "在新电脑上恢复：安装本软件后，在软件的“备份与恢复”（或第一次打开时的设置向导）中选择本文件夹"
            "（选中文件夹中的任意一个文件即可，例如本文件）。请不要修改或删除本文件夹中的任何文件；"
            "manifest-sha256.txt 记录了每个文件的校验值，恢复时会逐一核对。本文件夹是标准的 BagIt 包，"
            "也可以用公开工具 bagit 核验它是否完整。\r\n"
            "本备份含有教师个人信息和学校签名密钥，请妥善保管U盘。\r\n")
    return "\ufeff".encode("utf-8") + text.encode("utf-8")


def _check_room(dest: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(dest).free
    except OSError as exc:
        raise BackupFailed(describe_os_error(exc, dest)) from exc
    if free < needed * 1.05 + 1024 * 1024:
        raise BackupFailed(f"“{dest}”剩余空间 {free / 1024 ** 2:.0f} MB，完整备份需要约 "
                           f"{needed * 1.05 / 1024 ** 2:.0f} MB。请换一个更大的U盘或清理空间后重试。")


def _unused_name(dest: Path, base: str) -> str:
    name, n = base, 1
    while (dest / name).exists() or (dest / (name + L.PARTIAL)).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _plan(paths: DataPaths, staging_db: Path, refs: dict[str, list[str]]) -> tuple[list[_Planned], list[str]]:
    """Every file of the bag's payload, and the stored files the database names but the store lacks."""
    plan = [_Planned(f"data/{DB_NAME}", staging_db, sha256_file(staging_db), staging_db.stat().st_size, False)]
    missing = []
    for sha in sorted(refs):
        src = paths.store / blob_relpath(sha) if is_sha256(sha) else None     # a damaged value: no path
        if src is not None and src.is_file():
            plan.append(_Planned(f"data/store/{blob_relpath(sha)}", src, sha, src.stat().st_size, True))
        else:
            missing.append(sha)
    if paths.keys.is_dir():
        for p in sorted(paths.keys.rglob("*")):
            if p.is_file() and ".tmp" not in p.name:
                plan.append(_Planned("data/keys/" + p.relative_to(paths.keys).as_posix(), p, sha256_file(p),
                                     p.stat().st_size, False))
    return plan, missing


def _reusable(partial: Path, plan: list[_Planned]) -> int:
    """Bytes an interrupted backup already wrote that look reusable (checked again when resumed)."""
    total = 0
    for f in plan:
        t = partial.joinpath(*f.rel.split("/"))
        if t.is_file() and t.stat().st_size == f.size:
            total += f.size
    return total


def _bag_info(name: str, school: dict, when: datetime, payload: dict[str, int], missing: int) -> bytes:
    return L.bag_info_bytes([
        ("Source-Organization", school.get("name", "")),
        ("External-Identifier", school.get("code", "")),
        ("External-Description", "提升工程2.0 整校推进助手 完整备份（数据库、证据文件、学校密钥）"),
        ("Bagging-Date", f"{when:%Y-%m-%d}"),
        ("Bag-Software-Agent", f"tisheng {__version__}"),
        ("Payload-Oxum", f"{sum(payload.values())}.{len(payload)}"),
        (FORMAT_FIELD, BACKUP_FORMAT),
        ("Tisheng-Backup-Name", name),
        ("Tisheng-Created", when.astimezone().isoformat(timespec="seconds")),
        ("Tisheng-School-Name", school.get("name", "")),
        ("Tisheng-School-Code", school.get("code", "")),
        ("Tisheng-Schema-Version", school.get("schema_version", "")),
        ("Tisheng-Missing-Evidence", missing),
    ])


def write_full_backup(paths: DataPaths, dest: Path, progress: Progress) -> BackupResult:
    """Write a full backup bag under dest (the caller holds WRITE_LOCK)."""
    dest = Path(dest).expanduser()
    if dest.exists() and not dest.is_dir():
        raise BackupFailed(f"“{dest}”是文件。完整备份需要一个文件夹（例如U盘的盘符 E:\\）。")
    probe_writable(dest)
    when = datetime.now()
    staging_db = paths.tmp / f"fullbackup-{uuid.uuid4().hex[:8]}.sqlite3"
    sink = None
    try:
        progress.report(0, 1, "正在备份数据库…", force=True)
        snapshot_database(paths.database, staging_db, check="integrity_check")
        school = _school_of(staging_db)
        code = _safe_code(school.get("code", ""))
        name = _unused_name(dest, f"{FULL_PREFIX}{code + '-' if code else ''}{when:%Y%m%d-%H%M%S}")
        refs = referenced_blobs(staging_db)
        plan, missing = _plan(paths, staging_db, refs)
        total = sum(f.size for f in plan)
        # a stale .partial of an earlier run is resumed (its good files are kept)
        stale = sorted(dest.glob(FULL_PREFIX + "*" + L.PARTIAL))
        resume = stale[-1] if stale else None
        for extra in stale[:-1]:
            remove_tree(extra)
        _check_room(dest, total - (_reusable(resume, plan) if resume is not None else 0))
        sink = DirSink(dest, name, progress, resume_from=resume, unfinished="完整备份未完成")
        sink.prune({f.rel for f in plan})
        done = 0
        work = 2 * total
        current = "正在写入数据库…"

        def on_bytes(k: int) -> None:
            nonlocal done
            done += k
            progress.report(min(done, work - 1), work, current)

        payload: dict[str, str] = {}
        sizes: dict[str, int] = {}
        for f in plan:
            current = "正在写入数据库…" if f.rel == f"data/{DB_NAME}" else f"正在写入 {f.rel[len('data/'):]}"
            try:
                sink.put_file(f.rel, f.source, f.sha256, f.size, on_bytes)
            except StorageError:
                if f.evidence and not f.source.exists():      # removed from the store meanwhile
                    missing.append(f.sha256)
                    continue
                raise
            payload[f.rel], sizes[f.rel] = f.sha256, f.size
            faults.hit("fullbackup.db" if f.rel == f"data/{DB_NAME}" else "fullbackup.file")
        missing = sorted(set(missing))
        sink.put_bytes(L.MANIFEST, L.manifest_bytes(payload))
        sink.put_bytes(L.BAGIT_TXT, L.BAGIT_TXT_BYTES)
        sink.put_bytes(L.BAG_INFO, _bag_info(name, school, when, sizes, len(missing)))
        sink.put_bytes(README_NAME, _readme(name, school, len(payload), total))
        tags = [L.BAGIT_TXT, L.BAG_INFO, L.MANIFEST, README_NAME]
        if missing:
            sink.put_bytes(MISSING_NAME, "".join(f"{sha}\n" for sha in missing).encode("utf-8"))
            tags.append(MISSING_NAME)
        sink.put_bytes(L.TAGMANIFEST, L.manifest_bytes({t: sink.written[t] for t in tags}))
        faults.hit("fullbackup.manifest")
        # read everything back from the stick: catches fake-capacity sticks and bad sectors
        current = "正在回读校验…"
        sink.read_back(dict(sink.written), on_bytes, lambda rel: None)
        faults.hit("fullbackup.readback")
        final = sink.finish()
        sink = None
        faults.hit("fullbackup.rename")
        progress.report(work, work, "完整备份完成", force=True)
        described = tuple(f"{'；'.join(refs.get(s) or ['未被记录引用的文件'])}（{s[:12]}…）" for s in missing)
        return BackupResult(final, True, len(payload), total, described)
    except ReadbackError as exc:
        raise BackupFailed(exc.user_message, details=exc.details) from exc
    finally:
        staging_db.unlink(missing_ok=True)
