"""Reading a return bag at the central school: nothing is believed before it is checked.

In order, each failure a clear refusal that names what is wrong: the folder is a finished return
(not a `.partial`); bag-info names a pack of this school (`lookup`); the HMAC over the tag
manifest matches the pack's secret; the tag manifest matches bagit.txt, bag-info.txt and the
manifest; every manifest path is a safe path of our layout (no `..`, no drive, no link, nothing
outside `data/`); exactly the listed files are there and each hashes to its line; changes.json
parses (size-capped, no NaN, no deep nesting) and every change passes `check_change`. Reading
never writes: the stick is left exactly as it came.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError
from app.services.bundle import layout as BL
from app.services.bundle.safe_names import check_bag_path
from app.services.packs import layout as L
from app.services.packs.changes import Change, check_change, undone_targets
from app.services.packs.jsonio import Fields, PackDataError, loads, read_capped
from app.services.packs.mac import parse_mac_file, return_mac, same
from app.services.progress import NO_PROGRESS, Progress

BUF = 1024 * 1024


class ReturnRefused(AppError):
    """The return is not merged (another school's, unknown, altered, older …); nothing was changed."""


@dataclass(frozen=True)
class ReturnBag:
    path: Path
    pack_id: str
    school_code: str
    return_seq: int
    sealed_at: str
    sealed_by: str
    tagmanifest_sha256: str
    changes: tuple[Change, ...]
    files: dict[str, Path]          # sha256 → the verified file on the stick
    notes: tuple[str, ...]          # harmless extras (Thumbs.db …)

    @property
    def name(self) -> str:
        return self.path.name


def find_return(path: str | os.PathLike) -> Path:
    """The return bag meant by a path: the bag itself, or the newest finished one in a pack folder."""
    p = Path(path).expanduser()
    if p.is_file() and p.name in (BL.BAGIT_TXT, L.PACK_FILE):
        p = p.parent
    if not p.exists():
        raise ReturnRefused(f"找不到“{p}”，未合并任何内容。请插入教学点交回的U盘，并选择其中的采集包文件夹。")
    if not p.is_dir():
        raise ReturnRefused(f"“{p.name}”不是采集包文件夹（采集包是U盘上的文件夹，不是单个文件；若是压缩包请先解压），未合并任何内容。")
    if p.name.endswith(L.PARTIAL):
        raise ReturnRefused(f"“{p.name}”是没有写完的回收包（“完成采集”被中断），未合并任何内容。请让教学点重新点击“完成采集”。")
    if (p / BL.BAGIT_TXT).exists():
        return p
    bags = L.return_bags(p)
    if bags:
        return bags[-1][1]
    if (p / L.PACK_FILE).is_file():
        unfinished = list(p.glob(f"{L.RETURN_PREFIX}*{L.PARTIAL}"))
        if unfinished:
            raise ReturnRefused(f"采集包“{p.name}”的“完成采集”没有做完（U盘可能被提前拔出），未合并任何内容。"
                                "请让教学点在本软件中重新点击“完成采集”。")
        raise ReturnRefused(f"采集包“{p.name}”还没有“完成采集”，没有可合并的回收包，未合并任何内容。"
                            "请让教学点在本软件中点击“完成采集”后再交回。")
    raise ReturnRefused(f"“{p}”中没有采集包或回收包（找不到“{L.PACK_FILE}”或“{BL.BAGIT_TXT}”），未合并任何内容。")


def _list(root: Path) -> tuple[dict[str, Path], list[str]]:
    """Every regular file below root by NFC bag path; links and odd entries are problems, never read."""
    files: dict[str, Path] = {}
    problems: list[str] = []
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            from app.services.fileio import describe_os_error
            problems.append(describe_os_error(exc, prefix or root.name))
            continue
        for e in entries:
            rel = unicodedata.normalize("NFC", prefix + e.name)
            st = e.stat(follow_symlinks=False)
            if e.is_symlink() or getattr(st, "st_file_attributes", 0) & 0x400:
                problems.append(f"“{rel}”是链接，不予读取")
            elif stat.S_ISDIR(st.st_mode):
                stack.append((Path(e.path), rel + "/"))
            elif stat.S_ISREG(st.st_mode):
                if rel in files:
                    problems.append(f"“{rel}”有两个仅 Unicode 规范化形式不同的同名文件")
                files[rel] = Path(e.path)
            else:
                problems.append(f"“{rel}”不是普通文件")
            if len(files) > L.MAX_RETURN_FILES + 100:
                raise ReturnRefused(f"回收包中的文件超过 {L.MAX_RETURN_FILES} 个，不是正常的回收包，未合并。")
    return files, problems


def _hash(path: Path, progress: Progress) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(BUF):
                h.update(chunk)
                progress.check()
    except OSError:
        return None
    return h.hexdigest()


def _bad(bag: Path, what: str, details: list[str] | None = None) -> ReturnRefused:
    return ReturnRefused(f"回收包“{bag.name}”{what}未合并任何内容。", details=(details or [])[:30])


def _parse_manifest(data: bytes, name: str, bag: Path) -> dict[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        raise _bad(bag, f"的清单“{name}”以 BOM 开头（被文本编辑器改动过），")
    entries, problems = BL.parse_manifest(data, f"“{name}”")
    if problems:
        raise _bad(bag, f"的清单“{name}”格式不正确（已损坏或被改动），", problems)
    unsafe = [f"“{p[:80]}”：{why}" for p in entries if (why := check_bag_path(p))]
    if unsafe:
        raise _bad(bag, f"的清单“{name}”中有不安全的路径（会跳出回收包文件夹），", unsafe)
    return entries


def _payload_ok(rel: str, sha: str) -> bool:
    if rel == L.RETURN_JSON:
        return True
    parts = rel.split("/")
    return len(parts) == 4 and "/".join(parts[:2]) == L.FILES_DIR and parts[3] == sha and parts[2] == sha[:2]


def read_return(path: str | os.PathLike, lookup: Callable[[str, str], str],
                progress: Progress = NO_PROGRESS) -> ReturnBag:
    """Check a return bag completely; `lookup(pack_id, school_code)` gives the pack's secret or refuses."""
    bag = find_return(path)
    files, problems = _list(bag)
    if problems:
        raise _bad(bag, "中有不能读取的项目，", problems)
    for tag in (BL.BAGIT_TXT, BL.BAG_INFO, BL.TAGMANIFEST, L.HMAC_FILE, BL.MANIFEST):
        if tag not in files:
            raise _bad(bag, f"缺少“{tag}”（不是完整的回收包，或被改动过），")
    try:
        info = BL.parse_bag_info(read_capped(files[BL.BAG_INFO], L.MAX_TAG_FILE, BL.BAG_INFO))
        tagmanifest = read_capped(files[BL.TAGMANIFEST], L.MAX_TAG_FILE, BL.TAGMANIFEST)
        mac = parse_mac_file(read_capped(files[L.HMAC_FILE], 1024, L.HMAC_FILE))
        manifest = read_capped(files[BL.MANIFEST], L.MAX_MANIFEST, BL.MANIFEST)
    except PackDataError as exc:
        raise _bad(bag, f"已损坏：{exc.user_message}") from None
    pack_id = info.get("Tisheng-Pack-Id", "")
    code = info.get("Tisheng-School-Code", "")
    seq_text = info.get("Tisheng-Return-Seq", "")
    if not L.is_pack_id(pack_id) or not seq_text.isdigit() or not code or len(seq_text) > 6:
        raise _bad(bag, "的“bag-info.txt”中没有有效的采集包编号、学校代码或回收次数（不是本软件的回收包，或被改动过），")
    secret = lookup(pack_id, code)                      # refuses another school's or an unknown pack
    seq = int(seq_text)
    if mac is None or not same(mac, return_mac(secret, pack_id, seq, tagmanifest)):
        raise ReturnRefused(f"回收包“{bag.name}”的校验码不符：它在教学点“完成采集”之后被改动过，"
                            "或不是用本校发出的采集包生成的。未合并任何内容。请让教学点重新点击“完成采集”后再交回。")
    tags = _parse_manifest(tagmanifest, BL.TAGMANIFEST, bag)
    for need in (BL.BAGIT_TXT, BL.BAG_INFO, BL.MANIFEST):
        if need not in tags:
            raise _bad(bag, f"的标签清单没有覆盖“{need}”，")
    altered = [rel for rel, sha in tags.items()
               if rel.startswith("data/") or rel not in files or _hash(files[rel], progress) != sha]
    if altered:
        raise _bad(bag, "的标签文件与标签清单不符（被改动或已损坏），", [f"“{rel}”" for rel in altered])
    payload = _parse_manifest(manifest, BL.MANIFEST, bag)
    if len(payload) > L.MAX_RETURN_FILES:
        raise _bad(bag, f"的清单列出了 {len(payload):,} 个文件（上限 {L.MAX_RETURN_FILES:,}），")
    odd = [rel for rel, sha in payload.items() if not _payload_ok(rel, sha)]
    if odd or L.RETURN_JSON not in payload:
        raise _bad(bag, "的清单中有不属于回收包的路径，", [f"“{r}”" for r in odd] or [f"缺少“{L.RETURN_JSON}”"])
    known = set(payload) | set(tags) | {BL.TAGMANIFEST, L.HMAC_FILE}
    extra = [rel for rel in files if rel not in known and not BL.is_junk(rel)]
    notes = tuple(f"忽略系统文件“{rel}”" for rel in files if rel not in known and BL.is_junk(rel))
    missing = [rel for rel in payload if rel not in files]
    if extra or missing:
        raise _bad(bag, "中的文件与清单不符，", [f"缺少：“{r}”" for r in missing] + [f"多出：“{r}”" for r in extra])
    done, total = 0, max(1, len(payload))
    bad = []
    for rel, sha in sorted(payload.items()):
        progress.report(done, total, f"正在校验回收包 {rel}")
        if _hash(files[rel], progress) != sha:
            bad.append(rel)
        done += 1
    if bad:
        raise _bad(bag, "中有文件与清单不符（内容被改动或已损坏），", [f"“{rel}”" for rel in bad])
    changes = _read_changes(bag, files[L.RETURN_JSON], pack_id, seq, code)
    have = {rel.rsplit("/", 1)[1]: files[rel] for rel in payload if rel != L.RETURN_JSON}
    gone = undone_targets(list(changes))
    for c in changes:
        for f in (c.files if c.id not in gone else []):
            p = have.get(f.sha256)
            if p is None or p.stat().st_size != f.size:
                raise _bad(bag, f"缺少更改所需的文件“{f.name}”，")
    return ReturnBag(bag, pack_id, code, seq, info.get("Tisheng-Sealed-At", ""), info.get("Tisheng-Sealed-By", ""),
                     hashlib.sha256(tagmanifest).hexdigest(), changes, have, notes)


def _read_changes(bag: Path, path: Path, pack_id: str, seq: int, code: str) -> tuple[Change, ...]:
    where = f"回收包“{bag.name}”的“changes.json”"
    try:
        f = Fields(loads(read_capped(path, L.MAX_RETURN_JSON, where), where), where)
        if f.obj.get("format") != L.RETURN_FORMAT or f.obj.get("format_version") != 1:
            raise PackDataError(f"{where}不是本软件认识的格式。")
        if f.obj.get("pack_id") != pack_id or f.obj.get("return_seq") != seq or f.obj.get("school_code") != code:
            raise PackDataError(f"{where}与“bag-info.txt”不一致。")
        changes, seen = [], set()
        for n, raw in enumerate(f.items("events", max_len=L.MAX_CHANGES), 1):
            c = check_change(raw, f"{where}第 {n} 项更改")
            if c.id in seen:
                raise PackDataError(f"{where}第 {n} 项更改的编号重复。")
            seen.add(c.id)
            changes.append(c)
    except PackDataError as exc:
        raise ReturnRefused(f"{exc.user_message}未合并任何内容。") from None
    return tuple(sorted(changes, key=lambda c: (c.seq, c.id)))
