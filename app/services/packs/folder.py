"""A pack folder on a stick: finding it, opening it, reading its changes, copying files into it.

Nothing here ever rewrites a file that is already saved. A file attached at the teaching point
is copied in under a temporary name, fsynced, read back and renamed to its SHA-256; a change is
a new file of its own (`data/changes/000012-<id>.json`, written through a temporary name). So a
stick pulled mid-copy loses at most the copy under way: the temporary file is swept the next time
the pack opens, and everything saved before is untouched. JSON files rather than a SQLite file
inside the pack: a database on a FAT32 stick needs its journal beside it at every moment
(a pulled stick or a copied folder without it corrupts the file), and one file per change is
also what the return bag hashes and the school reads without opening a database it did not write.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from app.errors import NotFoundError, StorageError, ValidationError
from app.services import faults
from app.services.fileio import FAT32_LIMIT, copy_verified, os_errors, replace_with_retry, fsync_dir, sha256_file
from app.services.packs import layout as L
from app.services.packs.changes import Change, check_change
from app.services.packs.document import PackDocument, parse_document
from app.services.packs.jsonio import PackDataError, atomic_write, dumps, read_capped, read_json, loads
from app.services.packs.state import PackState, build_state
from app.services.progress import NO_PROGRESS, Progress

log = logging.getLogger(__name__)


class NotAPackError(NotFoundError):
    pass


def locate(path: str | os.PathLike) -> Path:
    """The pack folder meant by a path: the folder, its tisheng-pack.json, one of its return bags, or a
    drive/folder that holds exactly one pack."""
    p = Path(path).expanduser()
    if p.is_file() and p.name == L.PACK_FILE:
        p = p.parent
    if not p.exists():
        raise NotAPackError(f"找不到“{p}”。请插入U盘，并选择U盘上的采集包文件夹。")
    if not p.is_dir():
        raise NotAPackError(f"“{p.name}”不是采集包：采集包是U盘上一个名为“{L.FOLDER_PREFIX}…”的文件夹。")
    if p.name.endswith(L.PARTIAL):
        raise NotAPackError(f"“{p.name}”是没有生成完的采集包（生成时被中断）。请在中心校重新生成采集包。")
    if (p / L.PACK_FILE).is_file():
        return p
    if L.return_seq_of(p.name) is not None and (p.parent / L.PACK_FILE).is_file():
        return p.parent
    found = [c for c in _children(p) if (c / L.PACK_FILE).is_file() and not c.name.endswith(L.PARTIAL)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise NotAPackError(f"“{p}”中有 {len(found)} 个采集包（{'、'.join(c.name for c in found[:5])}），"
                            "请选择其中一个文件夹。")
    raise NotAPackError(f"“{p}”中没有采集包（找不到“{L.PACK_FILE}”）。请选择U盘上的“{L.FOLDER_PREFIX}…”文件夹。")


def _children(p: Path, limit: int = 500) -> list[Path]:
    out = []
    try:
        with os.scandir(p) as it:
            for n, entry in enumerate(it):
                if n >= limit:
                    break
                if entry.is_dir(follow_symlinks=False):
                    out.append(Path(entry.path))
    except OSError:
        return []
    return out


def find_packs(roots: list[str | os.PathLike]) -> list[Path]:
    """Pack folders at the top of these drives or one folder down (start-up on a teaching point PC)."""
    out = []
    for root in roots:
        r = Path(root)
        for c in [r, *_children(r)]:
            if not c.name.endswith(L.PARTIAL) and (c / L.PACK_FILE).is_file():
                out.append(c)
    return out


@dataclass(frozen=True)
class ChangeProblem:
    name: str
    problem: str


class PackFolder:
    """One open pack. Every method re-reads what it needs from the stick (it may be pulled meanwhile)."""

    def __init__(self, root: Path, document: PackDocument, secret: str) -> None:
        self.root, self.document, self.secret = root, document, secret
        self.problems: list[ChangeProblem] = []

    @classmethod
    def open(cls, path: str | os.PathLike) -> "PackFolder":
        root = locate(path)
        raw = read_json(root / L.PACK_FILE, L.MAX_PACK_JSON, L.PACK_FILE)
        doc = parse_document(raw)
        secret = raw.get("secret")
        if not isinstance(secret, str) or len(secret) != 64 or any(c not in "0123456789abcdef" for c in secret):
            raise PackDataError(f"采集包“{root.name}”的“{L.PACK_FILE}”缺少有效的校验密钥，已损坏或被改动。"
                                "请在中心校重新生成采集包。")
        pack = cls(root, doc, secret)
        pack.sweep()
        return pack

    # -- reading ------------------------------------------------------------------------
    @property
    def changes_dir(self) -> Path:
        return self.root.joinpath(*L.CHANGES_DIR.split("/"))

    @property
    def files_dir(self) -> Path:
        return self.root.joinpath(*L.FILES_DIR.split("/"))

    def file_path(self, sha256: str) -> Path:
        return self.root.joinpath(*L.file_rel(sha256).split("/"))

    def read_changes(self) -> list[Change]:
        """Every saved change, in order; damaged ones are listed in `problems`, never guessed."""
        self.problems = []
        out = []
        folder = self.changes_dir
        if not folder.is_dir():
            return out
        with os_errors(folder):
            names = sorted(e.name for e in os.scandir(folder) if e.is_file(follow_symlinks=False))
        for name in names:
            parsed = L.parse_change_name(name)
            if parsed is None:
                continue                        # a temporary file of an interrupted write, or a stranger
            try:
                c = check_change(loads(read_capped(folder / name, L.MAX_CHANGE_FILE, name), name), name)
            except (PackDataError, StorageError) as exc:
                self.problems.append(ChangeProblem(name, exc.user_message))
                continue
            if (c.seq, c.id) != parsed:
                self.problems.append(ChangeProblem(name, "文件名与内容不一致"))
                continue
            out.append(c)
        if len(out) > L.MAX_CHANGES:
            raise PackDataError(f"采集包中的更改超过 {L.MAX_CHANGES} 条，不是正常的采集包。")
        return out

    def state(self) -> PackState:
        return build_state(self.document, self.read_changes())

    def next_seq(self) -> int:
        folder = self.changes_dir
        seqs = [0]
        if folder.is_dir():
            with os_errors(folder):
                for e in os.scandir(folder):
                    parsed = L.parse_change_name(e.name)
                    if parsed:
                        seqs.append(parsed[0])
        return max(seqs) + 1

    def missing_files(self, changes: list[Change]) -> list[tuple[Change, str]]:
        """(change, file name) for each file a change needs that is not (intact) in the pack."""
        out = []
        for c in changes:
            for f in c.files:
                p = self.file_path(f.sha256)
                try:
                    ok = p.is_file() and p.stat().st_size == f.size and sha256_file(p) == f.sha256
                except OSError:
                    ok = False
                if not ok:
                    out.append((c, f.name))
        return out

    # -- writing ------------------------------------------------------------------------
    def save_change(self, change: Change) -> Change:
        """Write one change as a new file (never replacing one): the commit point of a collect step."""
        check_change(change.to_json(), "新的更改")
        target = self.changes_dir / L.change_name(change.seq, change.id)
        if target.exists():
            raise StorageError(f"更改记录“{target.name}”已存在，未覆盖。")
        atomic_write(target, dumps(change.to_json()), fault="pack.collect.change_written")
        with os_errors(target, "保存到U盘上的采集包"):
            faults.hit("pack.collect.change_renamed")
        return change

    def copy_in(self, source: Path, progress: Progress = NO_PROGRESS, *, done: int = 0,
                total: int = 0) -> tuple[str, int]:
        """Copy a file into the pack (verified); returns (sha256, size). The same content is stored once."""
        source = Path(source)
        with os_errors(source):
            if not source.is_file():
                raise StorageError(f"找不到文件“{source}”，或它不是普通文件。")
            size = source.stat().st_size
        if size >= FAT32_LIMIT:
            raise ValidationError(f"文件“{source.name}”大小为 {size / 1024 ** 3:.1f} GB，超过 4 GB。"
                                  "U盘（FAT32）无法存放这么大的单个文件，请压缩或剪短视频后再添加。")
        free = _free_space(self.root)
        if free is not None and free < size + 1024 * 1024:
            raise StorageError(f"U盘剩余空间不足：“{source.name}”需要 {size / 1024 ** 2:.1f} MB，"
                               f"U盘只剩 {free / 1024 ** 2:.1f} MB。请换一个更大的U盘。")
        incoming = self.files_dir / "incoming"
        tmp = incoming / f"{uuid.uuid4().hex}.part"
        total = total or size
        copied = done

        def on_bytes(n: int) -> None:
            nonlocal copied
            copied += n
            progress.report(copied, max(total, 1), f"正在复制 {source.name}")

        try:
            sha, n = copy_verified(source, tmp, on_bytes=on_bytes)
            final = self.file_path(sha)
            with os_errors(final, f"把“{source.name}”保存到U盘上的采集包"):
                faults.hit("pack.collect.file_copied")
                if final.is_file() and final.stat().st_size == n and sha256_file(final) == sha:
                    tmp.unlink()
                else:
                    final.parent.mkdir(parents=True, exist_ok=True)
                    replace_with_retry(tmp, final)
                    fsync_dir(final.parent)
                faults.hit("pack.collect.file_renamed")
            return sha, n
        finally:
            if tmp.exists():
                tmp.unlink(missing_ok=True)

    def sweep(self) -> int:
        """Remove what interrupted writes left (temporary files, unfinished return bags). Best effort:
        a write-protected stick is left alone."""
        removed = 0
        targets = []
        incoming = self.files_dir / "incoming"
        if incoming.is_dir():
            targets += list(incoming.iterdir())
        if self.changes_dir.is_dir():
            targets += [p for p in self.changes_dir.iterdir() if ".tmp-" in p.name]
        targets += [p for p in self.root.glob(f"{L.RETURN_PREFIX}*{L.PARTIAL}")]
        for p in targets:
            try:
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
                removed += 1
            except OSError as exc:
                log.info("could not sweep %s: %s", p, exc)
        return removed


def _free_space(path: Path) -> int | None:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None
