"""Export the sealed bundle (报送包) onto a stick.

Order (see /work/shared/spec/bundle.md): read the records once → compliance
check (blocking findings refuse unless allow_incomplete) → check the target
(exists, writable, room, FAT32 limits) → stream the evidence into
`<name>.partial` while the summary workbook is built in the background →
workbook and bundle.json → manifest → seal code → sign-off PDF with that seal →
bagit.txt, bag-info.txt, school.pub, README → tag manifest → read every file
back from the device → signature, written last → rename. Only a finished export
writes to the database (one audit entry).

A `.partial` left by a crash or a pulled stick is picked up by the next export:
intact payload files are kept (re-hashed), everything else is rewritten.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import math
import os
import re
import shutil
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app import APP_NAME, __version__
from app.errors import AppError, CancelledError, StorageError, ValidationError
from app.models import AuditEntry
from app.services import faults, keys
from app.services.bundle import layout as L
from app.services.bundle import minisign
from app.services.bundle.bag_writer import DirSink, ZipSink, bytes_under, remove_tree
from app.services.bundle.records import (BUNDLE_JSON, REPORT_PATH, BundlePlan, PayloadFile, build_plan,
                                         bundle_json_bytes)
from app.services.fileio import FAT32_LIMIT, describe_os_error, os_errors, sha256_file
from app.services.progress import NO_PROGRESS, Progress
from app.services.seal import SealInfo, seal_code_for

log = logging.getLogger(__name__)

TAG_ALLOWANCE = 16 * 1024 ** 2       # forms PDF, manifests, README …
FAULT_POINTS = ("export.start", "export.report", "export.bundle_json", "export.preflight",
                "export.payload", "export.manifest", "export.forms", "export.tagfiles",
                "export.tagmanifest", "export.readback", "export.signature", "export.rename")


class ExportBlockedError(AppError):
    """Blocking compliance findings, and the user did not choose allow_incomplete."""

    def __init__(self, findings: list) -> None:
        super().__init__(
            f"还有 {len(findings)} 项必须处理的问题，报送包未导出。请先处理这些问题；"
            "如区县同意先报送不完整的材料，可选择“允许不完整导出”（--allow-incomplete），"
            "该选择会写入报送包和签字确认表。",
            details=[getattr(f, "message", str(f)) for f in findings[:100]]
            + ([f"……另有 {len(findings) - 100} 项"] if len(findings) > 100 else []))
        self.findings = findings


@dataclass(frozen=True)
class ExportOptions:
    unmask_personal: bool = False
    allow_incomplete: bool = False
    as_zip: bool = False


@dataclass
class Plugins:
    """The parts other modules provide; None when that module is not available."""

    write_report: Callable | None = None
    write_forms: Callable | None = None
    run_check: Callable | None = None


def default_plugins() -> Plugins:
    p = Plugins()
    try:
        from app.services.excel.report import write_report
        p.write_report = write_report
    except ImportError as exc:
        log.warning("summary workbook module not available: %s", exc)
    try:
        from app.services.forms.api import write_forms
        p.write_forms = write_forms
    except ImportError as exc:
        log.warning("forms module not available: %s", exc)
    try:
        from app.services.compliance import run_check
        p.run_check = run_check
    except ImportError as exc:
        log.warning("compliance module not available: %s", exc)
    return p


@dataclass(frozen=True)
class ExportResult:
    path: Path
    bag_name: str
    seal: SealInfo
    fingerprint: str
    payload_files: int
    payload_bytes: int
    masked: bool
    allow_incomplete: bool
    blocking: int
    warnings: int
    parts: dict[str, bool]
    as_zip: bool
    reused_files: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"path": str(self.path), "bag_name": self.bag_name, "seal_code": self.seal.seal_code,
                "seal_digest": self.seal.digest_hex, "fingerprint": self.fingerprint,
                "payload_files": self.payload_files, "payload_bytes": self.payload_bytes,
                "personal_data_masked": self.masked, "allow_incomplete": self.allow_incomplete,
                "blocking": self.blocking, "warnings": self.warnings, "parts": self.parts,
                "zip": self.as_zip, "reused_files": self.reused_files, "seconds": round(self.seconds, 2)}


@dataclass
class Destination:
    path: Path
    free: int
    fs_type: str
    cluster: int


def human_size(n: float) -> str:
    for unit in ("字节", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "字节" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def filesystem_type(path: Path) -> str:
    """FAT32 / exFAT / NTFS / … as far as the platform tells (empty when unknown)."""
    try:
        if sys.platform == "win32":
            import ctypes
            root = ctypes.create_unicode_buffer(261)
            if not ctypes.windll.kernel32.GetVolumePathNameW(str(path), root, 261):
                return ""
            fs = ctypes.create_unicode_buffer(64)
            if ctypes.windll.kernel32.GetVolumeInformationW(root.value, None, 0, None, None, None, fs, 64):
                return fs.value
            return ""
        best, fs = "", ""
        target = os.path.realpath(path)
        with open("/proc/mounts", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mnt = parts[1].replace("\\040", " ")
                if (target == mnt or target.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, fs = mnt, parts[2]
        return {"vfat": "FAT32", "msdos": "FAT", "exfat": "exFAT", "ntfs": "NTFS", "ntfs3": "NTFS",
                "fuseblk": ""}.get(fs, fs)
    except (OSError, AttributeError, ValueError):
        return ""


def _cluster_size(path: Path) -> int:
    try:
        if hasattr(os, "statvfs"):
            st = os.statvfs(path)
            return max(512, st.f_frsize or st.f_bsize)
        import ctypes
        spc, bps, _f, _t = (ctypes.c_ulong() for _ in range(4))
        if ctypes.windll.kernel32.GetDiskFreeSpaceW(str(path.anchor or path), ctypes.byref(spc),
                                                    ctypes.byref(bps), ctypes.byref(_f), ctypes.byref(_t)):
            return max(512, spc.value * bps.value)
    except (OSError, AttributeError, ValueError):
        pass
    return 32 * 1024


def probe_destination(dest: str | Path) -> Destination:
    """The target exists, is a folder and takes a test file; its free space and file system."""
    path = Path(dest).expanduser()
    if not path.exists():
        raise StorageError(f"导出位置“{path}”不存在。请插入U盘，并选择U盘或其中的一个文件夹。")
    if not path.is_dir():
        raise StorageError(f"导出位置“{path}”不是文件夹。")
    probe = path / f".tisheng-probe-{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"probe")
            fh.flush()
            os.fsync(fh.fileno())
        probe.unlink()
    except OSError as exc:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass
        raise StorageError(f"无法写入导出位置“{path}”：{describe_os_error(exc, path)}"
                           "请检查U盘写保护开关，或换一个位置。") from exc
    with os_errors(path):
        free = shutil.disk_usage(path).free
    return Destination(path.resolve(), free, filesystem_type(path), _cluster_size(path))


def space_needed(sizes: list[int], cluster: int, *, as_zip: bool) -> int:
    """Bytes the bag will take on the target, with cluster slack and a 5 % margin."""
    if as_zip:
        raw = sum(sizes) + 200 * len(sizes) + TAG_ALLOWANCE
    else:
        raw = sum(max(1, math.ceil(s / cluster)) * cluster for s in sizes) + TAG_ALLOWANCE
        raw += cluster * max(16, len(sizes) // 8)        # folders
    return int(raw * 1.05)


def check_room(d: Destination, sizes: list[int], *, as_zip: bool, reusable: int = 0) -> int:
    needed = max(0, space_needed(sizes, d.cluster, as_zip=as_zip) - reusable)
    if d.free < needed:
        raise StorageError(f"导出位置“{d.path}”剩余空间不足：本次导出约需 {human_size(needed)}，"
                           f"目前只有 {human_size(d.free)} 可用。请清理U盘或换一个更大的U盘。")
    if d.fs_type.upper().startswith("FAT") and d.fs_type.upper() != "FAT12":
        big = [s for s in sizes if s >= FAT32_LIMIT]
        if big:
            raise ValidationError(f"U盘是 FAT32 格式，不能存放 4 GB 及以上的单个文件，而报送包中有 {len(big)} 个。"
                                  "请把U盘格式化为 exFAT 或 NTFS 后重试。")
        if as_zip and sum(sizes) + TAG_ALLOWANCE >= FAT32_LIMIT:
            raise ValidationError("U盘是 FAT32 格式，放不下 4 GB 及以上的单个压缩包。请不要选择“压缩为单个 zip”，"
                                  "或把U盘格式化为 exFAT 后重试。")
    return needed


def bag_name_for(code: str, when: datetime) -> str:
    ascii_code = re.sub(r"[^A-Za-z0-9-]", "", code)[:20] or "school"
    return f"{ascii_code}_{when:%Y%m%d-%H%M%S}"


class ExportBusyError(AppError):
    """Another export of this data folder is running (GUI and CLI at once)."""


@contextmanager
def export_lock(ws):
    """One export per data folder at a time: a second one would take the first one's
    `.partial` for a stale attempt. The OS drops the lock when the process dies."""
    path = ws.paths.tmp / "export.lock"
    with os_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+b")
    try:
        try:
            if sys.platform == "win32":
                import msvcrt
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ExportBusyError("另一个导出正在进行（可能在另一个窗口或命令行中）。请等它完成后再导出。") from None
        yield
    finally:
        fh.close()


def _unused_name(dest: Path, name: str) -> str:
    """Two exports in the same second must not collide with a finished bag."""
    base, n = name, 1
    while (dest / name).exists() or (dest / f"{name}.zip").exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _stale_partials(dest: Path, name: str) -> list[Path]:
    code = re.sub(r"_\d{8}-\d{6}(-\d+)?$", "", name)
    pattern = re.compile(rf"^{re.escape(code)}_\d{{8}}-\d{{6}}(-\d+)?(\.zip)?\.partial$")
    try:
        return sorted(p for p in dest.iterdir() if pattern.match(p.name))
    except OSError:
        return []


def _readme(plan: BundlePlan, name: str, seal: SealInfo, key: keys.SchoolKeyInfo, incomplete: bool,
            parts_missing: list[str]) -> bytes:
    lines = [
        f"{APP_NAME} · 报送包说明",
        "",
        f"这是 {plan.school_name}（学校代码 {plan.school_code}）导出的提升工程2.0 整校推进报送包，",
        f"文件夹名 {name}，导出时间 {datetime.now():%Y-%m-%d %H:%M}。",
        f"它是一个 BagIt 1.0 文件夹，并用学校的密钥作了 minisign 签名。",
        "",
        f"封存码：{seal.seal_code}",
        f"学校密钥指纹：{key.fingerprint}",
        "签字确认表上打印的封存码和密钥指纹必须与上面一致。",
        "",
    ]
    if incomplete:
        lines += ["注意：导出时仍有必须处理的问题，学校确认后按“不完整报送”导出。", ""]
    if parts_missing:
        lines += ["本报送包不含：" + "、".join(parts_missing) + "（导出时该功能不可用）。", ""]
    lines += [
        "目录",
        "  data\\bundle.json      学校全部记录（机器可读）",
        "  data\\报表\\汇总.xlsx   汇总表",
        "  data\\方案\\           一划两案等方案文件",
        "  data\\证据\\           各教师各能力点的证据文件（文件名已改为 Windows 安全的名字，原名见 bundle.json）",
        "  data\\活动\\           培训活动记录",
        "  签字确认表.pdf         请打印、签字、盖章后连同U盘一起报送",
        "  manifest-sha256.txt    每个文件的 SHA-256；tagmanifest-sha256.txt 覆盖其余说明文件",
        "  tagmanifest-sha256.txt.minisig  学校密钥的签名；school.pub 是学校公钥（仅供参考，应以区县登记的为准）",
        "",
        "如何核验（区县）",
        f"  1. 用本软件：tisheng verify \"{name}\" --key 登记的学校公钥.pub",
        "  2. 不用本软件：在本文件夹中运行",
        "       minisign -Vm tagmanifest-sha256.txt -P 登记的学校公钥（RW 开头的一行）",
        f"       python -m bagit --validate \"{name}\"",
        "     两项都必须通过；bagit 不检查签名，也发现不了 tagmanifest-sha256.txt 被删除，",
        "     还要确认除 Thumbs.db、desktop.ini、~$ 开头的临时文件外没有清单以外的文件。",
        "  3. 封存码 = manifest-sha256.txt 的 SHA-256 的前 32 位，可用 Windows 自带命令核对：",
        "       certutil -hashfile manifest-sha256.txt SHA256",
        "",
        "请勿在U盘上直接修改、另存或删除任何文件，否则核验将不能通过。",
        "请勿删除本说明以外的任何文件；如需查看，请先复制到电脑上再打开。",
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


@dataclass(frozen=True)
class ExportPreview:
    """What the GUI shows before the user presses 导出 (nothing is written)."""

    dest: Path
    free_bytes: int
    needed_bytes: int
    fs_type: str
    teachers: int
    files: int
    payload_bytes: int
    blocking: list[str]
    warnings: int
    compliance_checked: bool
    problems: list[str] = field(default_factory=list)     # why exporting here would fail now

    @property
    def can_export(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"dest": str(self.dest), "free_bytes": self.free_bytes, "needed_bytes": self.needed_bytes,
                "fs_type": self.fs_type, "teachers": self.teachers, "files": self.files,
                "payload_bytes": self.payload_bytes, "blocking": self.blocking, "warnings": self.warnings,
                "compliance_checked": self.compliance_checked, "problems": self.problems,
                "can_export": self.can_export}


def preview_export(ws, dest: str | Path, options: ExportOptions = ExportOptions(),
                   plugins: Plugins | None = None) -> ExportPreview:
    """Size, room, file system and blocking findings for an export to dest, without writing it."""
    plugins = plugins if plugins is not None else default_plugins()
    plan = build_plan(ws, unmask=options.unmask_personal)
    blocking: list[str] = []
    n_warnings = 0
    if plugins.run_check is not None:
        report = plugins.run_check(ws)
        blocking = [getattr(f, "message", str(f)) for f in report.blocking]
        n_warnings = len(report.findings) - len(blocking)
    sizes = [f.size for f in plan.files] + _generated_estimate(plan)
    problems: list[str] = []
    if blocking and not options.allow_incomplete:
        problems.append(f"还有 {len(blocking)} 项必须处理的问题。")
    try:
        d = probe_destination(dest)
    except AppError as exc:
        return ExportPreview(Path(dest), 0, space_needed(sizes, 32 * 1024, as_zip=options.as_zip), "",
                             plan.teacher_count, len(plan.files) + 2, sum(sizes), blocking, n_warnings,
                             plugins.run_check is not None, problems + [exc.user_message])
    try:
        needed = check_room(d, sizes, as_zip=options.as_zip)
    except AppError as exc:
        needed = space_needed(sizes, d.cluster, as_zip=options.as_zip)
        problems.append(exc.user_message)
    return ExportPreview(d.path, d.free, needed, d.fs_type, plan.teacher_count, len(plan.files) + 2,
                         sum(sizes), blocking, n_warnings, plugins.run_check is not None, problems)


def export_bundle(ws, dest: str | Path, options: ExportOptions = ExportOptions(),
                  progress: Progress = NO_PROGRESS, plugins: Plugins | None = None) -> ExportResult:
    """Write, check, sign and publish one bundle; see the module docstring.

    Raises ExportBlockedError (blocking findings), StorageError (target missing, read-only,
    too small, stick pulled, read-back mismatch), ValidationError (FAT32 limits),
    ExportBusyError, CancelledError. On any of them no final-named bag exists and the
    database is unchanged.
    """
    with export_lock(ws):
        return _export(ws, dest, options, progress, plugins)


@dataclass
class _Paperwork:
    """What is generated rather than copied: workbook, bundle.json, manifest, seal, forms."""

    report_file: PayloadFile | None = None
    bundle_json: bytes = b""
    manifest: bytes = b""
    seal: SealInfo | None = None
    pdf: Path | None = None
    parts: dict[str, bool] = field(default_factory=dict)


def _paperwork(ws, plan: BundlePlan, plugins: Plugins, options: ExportOptions, staging: Path,
               extra: dict, key: keys.SchoolKeyInfo, name: str, incomplete: bool,
               progress: Progress) -> _Paperwork:
    """Everything the seal depends on, then the forms that print it.

    Every payload hash is known before a byte is copied (evidence hashes come from the
    database and the copy must reproduce them), so the manifest, the seal code and the
    sign-off PDF are prepared while the evidence streams to the stick.
    """
    out = _Paperwork(parts={"bundle.json": True, "报表/汇总.xlsx": False, L.FORMS_PDF: False})
    files = list(plan.files)
    if plugins.write_report is not None:
        xlsx = staging / "汇总.xlsx"
        if _call_plugin(plugins.write_report, ws, xlsx, unmask=options.unmask_personal, progress=progress):
            with os_errors(xlsx):
                out.report_file = PayloadFile(REPORT_PATH, sha256_file(xlsx), xlsx.stat().st_size, xlsx,
                                              "report", "汇总.xlsx")
            files.append(out.report_file)
            out.parts["报表/汇总.xlsx"] = True
    faults.hit("export.report")
    extra = dict(extra, parts={k: v for k, v in out.parts.items() if k != L.FORMS_PDF})
    out.bundle_json = bundle_json_bytes(plan, extra=extra, files=files)
    plan.records, extra = {}, {}         # no longer needed; the forms can use the memory
    gc.collect()
    faults.hit("export.bundle_json")
    entries = {f.path: f.sha256 for f in files}
    entries[BUNDLE_JSON] = hashlib.sha256(out.bundle_json).hexdigest()
    out.manifest = L.manifest_bytes(entries)
    seal_code, digest = seal_code_for(out.manifest)
    out.seal = SealInfo(seal_code=seal_code, digest_hex=digest, fingerprint=key.fingerprint,
                        school_code=plan.school_code, bag_name=name, allow_incomplete=incomplete)
    faults.hit("export.manifest")
    if plugins.write_forms is not None:
        pdf = staging / "forms.pdf"
        if _call_plugin(plugins.write_forms, ws, pdf, kind=None, teacher=None, seal=out.seal,
                        progress=progress):
            out.pdf = pdf
            out.parts[L.FORMS_PDF] = True
    faults.hit("export.forms")
    return out


def _export(ws, dest: str | Path, options: ExportOptions, progress: Progress,
            plugins: Plugins | None) -> ExportResult:
    started = time.monotonic()
    plugins = plugins if plugins is not None else default_plugins()
    progress.report(0, 1, "正在读取学校记录…", force=True)
    faults.hit("export.start")
    plan = build_plan(ws, unmask=options.unmask_personal)
    progress.check()

    compliance: dict
    blocking: list = []
    n_warnings = 0
    if plugins.run_check is not None:
        progress.report(0, 1, "正在检查达标情况…", force=True)
        report = plugins.run_check(ws)
        blocking = list(report.blocking)
        n_warnings = len(report.findings) - len(blocking)
        compliance = dict(report.to_dict())
        compliance["checked"] = True
        del report                               # its snapshot holds every row; free it early
        if blocking and not options.allow_incomplete:
            raise ExportBlockedError(blocking)
    else:
        compliance = {"checked": False, "note": "导出时达标检查功能不可用，未做检查。"}
    incomplete = bool(blocking) and options.allow_incomplete
    key = keys.school_key(ws)
    when = datetime.now()
    dest_path = Path(dest).expanduser()
    d = probe_destination(dest_path)
    name = _unused_name(d.path, bag_name_for(plan.school_code, when))

    staging = ws.paths.tmp / f"export-{uuid.uuid4().hex[:12]}"
    with os_errors(staging):
        staging.mkdir(parents=True, exist_ok=True)
    sink = None
    abort = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-paperwork")
    job = None
    try:
        stale = _stale_partials(d.path, name)
        resume = None
        if not options.as_zip:
            dirs = [p for p in stale if p.is_dir() and not p.name.endswith(".zip.partial")]
            resume = dirs[-1] if dirs else None
        for p in stale:
            if p != resume:
                remove_tree(p)
        reusable = bytes_under(resume / "data") if resume is not None else 0
        generated = _generated_estimate(plan)
        check_room(d, [f.size for f in plan.files] + generated, as_zip=options.as_zip, reusable=reusable)
        faults.hit("export.preflight")

        extra = {
            "bag_name": name,
            "exported_at": when.astimezone().isoformat(timespec="seconds"),
            "key_fingerprint": key.fingerprint,
            "allow_incomplete": incomplete,
            "incomplete": {"allowed_by_user": options.allow_incomplete, "blocking": len(blocking)},
            "compliance": compliance,
        }
        compliance_checked = bool(compliance.get("checked"))
        del compliance
        job = pool.submit(_paperwork, ws, plan, plugins, options, staging, extra, key, name, incomplete,
                          _Linked(progress, abort))
        del extra

        total_work = 2 * (plan.store_bytes + sum(generated))
        done = 0
        current = [""]

        def on_bytes(n: int) -> None:
            nonlocal done
            done += n
            progress.report(min(done, total_work - 1), total_work, current[0])

        if options.as_zip:
            sink = ZipSink(d.path, name, progress)
        else:
            sink = DirSink(d.path, name, progress, resume_from=resume)
            sink.prune({f.path for f in plan.files} | {BUNDLE_JSON, REPORT_PATH})
        for f in sorted(plan.files, key=lambda f: f.path):
            current[0] = f"正在写入 {f.path[5:]}"
            sink.put_file(f.path, f.source, f.sha256, f.size, on_bytes)
            faults.hit("export.payload")
            if job.done() and job.exception() is not None:
                break                                  # the paperwork failed: stop copying now

        if not job.done():
            progress.report(min(done, total_work - 1), total_work, "正在生成汇总表和签字确认表…", force=True)
        paper = job.result()
        files = list(plan.files)
        if paper.report_file is not None:
            rf = paper.report_file
            sink.put_file(rf.path, rf.source, rf.sha256, rf.size, on_bytes)
            files.append(rf)
        sink.put_bytes(BUNDLE_JSON, paper.bundle_json)
        payload_bytes = sum(f.size for f in files) + len(paper.bundle_json)
        payload_count = len(files) + 1
        done += len(paper.bundle_json)
        total_work = 2 * payload_bytes
        paper.bundle_json = b""
        sink.put_bytes(L.MANIFEST, paper.manifest)
        seal = paper.seal
        seal_code, digest = seal.seal_code, seal.digest_hex
        if paper.pdf is not None:
            with os_errors(paper.pdf):
                sink.put_file(L.FORMS_PDF, paper.pdf, sha256_file(paper.pdf), paper.pdf.stat().st_size)
        parts = paper.parts
        parts_missing = [k for k, v in parts.items() if not v]

        info_fields = [
            ("Source-Organization", plan.school_name),
            ("External-Identifier", plan.school_code),
            ("External-Description", "提升工程2.0 整校推进报送包"),
            ("Bagging-Date", f"{when:%Y-%m-%d}"),
            ("Payload-Oxum", f"{payload_bytes}.{payload_count}"),
            ("Bag-Size", human_size(payload_bytes)),
            ("Bag-Software-Agent", f"Tisheng {__version__}"),
        ]
        if plan.contact_phone:
            info_fields.append(("Contact-Phone", plan.contact_phone))
        info_fields += [
            ("Tisheng-Format", L.TISHENG_FORMAT),
            ("Tisheng-Bag-Name", name),
            ("Tisheng-Seal-Code", seal_code),
            ("Tisheng-Seal-Digest", digest),
            ("Tisheng-Key-Fingerprint", key.fingerprint),
            ("Tisheng-Program", plan.programme_name),
            ("Tisheng-Teacher-Count", plan.teacher_count),
            ("Tisheng-Personal-Data", "masked" if plan.masked else "full"),
            ("Tisheng-Compliance", "checked" if compliance_checked else "not-checked"),
            ("Tisheng-Blocking-Findings", len(blocking)),
            ("Tisheng-Allow-Incomplete", "yes" if incomplete else "no"),
            ("Tisheng-Parts", ", ".join(k for k, v in parts.items() if v)),
        ]
        if parts_missing:
            info_fields.append(("Tisheng-Parts-Missing", ", ".join(parts_missing)))
        sink.put_bytes(L.BAGIT_TXT, L.BAGIT_TXT_BYTES)
        sink.put_bytes(L.BAG_INFO, L.bag_info_bytes(info_fields))
        sink.put_bytes(L.PUBKEY, key.pub_file_text.encode("ascii"))
        sink.put_bytes(L.README, _readme(plan, name, seal, key, incomplete, parts_missing))
        faults.hit("export.tagfiles")

        tag_entries = {rel: sha for rel, sha in sink.written.items()
                       if not rel.startswith("data/") and rel not in (L.TAGMANIFEST, L.SIGNATURE)}
        tagmanifest = L.manifest_bytes(tag_entries)
        sink.put_bytes(L.TAGMANIFEST, tagmanifest)
        faults.hit("export.tagmanifest")

        def text(rel: str) -> None:
            current[0] = f"正在回读校验 {rel}"

        sink.read_back(dict(sink.written), on_bytes, text)
        faults.hit("export.readback")

        comment = (f"timestamp:{int(time.time())}\tfile:{L.TAGMANIFEST}\thashed"
                   f"\tschool:{L.clean_value(plan.school_code)}\tseal:{seal_code}\tbag:{name}")
        signature = keys.sign_bytes(ws, tagmanifest, comment,
                                    f"Tisheng 报送包 {name} 签名，密钥指纹 {key.fingerprint}")
        check = minisign.verify_signature(signature.encode("utf-8"), None, keys.public_key(ws),
                                          message=tagmanifest)
        if not check.ok:
            raise StorageError("签名自检失败，报送包未封存。请重试；若反复出现，请联系技术支持。")
        sink.put_bytes(L.SIGNATURE, signature.encode("utf-8"))
        if isinstance(sink, DirSink):
            _readback_one(sink, L.SIGNATURE)
        faults.hit("export.signature")
        faults.hit("export.rename")
        final = sink.finish()
        progress.report(total_work, total_work, "导出完成", force=True)
    except BaseException as exc:
        abort.set()
        pool.shutdown(wait=True)              # never delete staging under a running writer
        if sink is not None:
            sink.abort()
        if isinstance(exc, OSError):         # e.g. the stick was pulled between two steps
            raise StorageError(describe_os_error(exc, d.path) + "报送包未封存，请重新导出。") from exc
        raise
    finally:
        pool.shutdown(wait=True)
        remove_tree(staging)

    result = ExportResult(path=final, bag_name=name, seal=seal, fingerprint=key.fingerprint,
                          payload_files=payload_count, payload_bytes=payload_bytes, masked=plan.masked,
                          allow_incomplete=incomplete, blocking=len(blocking), warnings=n_warnings,
                          parts=parts, as_zip=options.as_zip, reused_files=sink.reused,
                          seconds=time.monotonic() - started)
    _audit_export(ws, result, dest_path)
    return result


class _Linked(Progress):
    """The progress a background part gets: silent, but cancelled with the export."""

    def __init__(self, parent: Progress, abort: threading.Event) -> None:
        super().__init__(None)
        self._parent, self._abort = parent, abort

    def check(self) -> None:
        if self._abort.is_set():
            raise CancelledError()
        self._parent.check()


def _generated_estimate(plan: BundlePlan) -> list[int]:
    """Sizes to reserve for the workbook and bundle.json before they exist."""
    records = sum(len(v) for v in plan.records.values() if isinstance(v, list))
    return [1024 ** 2 + 16 * 1024 * plan.teacher_count, 64 * 1024 + 2 * 1024 * records]


def _call_plugin(fn: Callable, *args, **kwargs) -> bool:
    """Run another module's part; False when that module is still a placeholder."""
    try:
        fn(*args, **kwargs)
    except NotImplementedError:
        log.warning("%s is not implemented yet; the bundle goes without it", getattr(fn, "__module__", fn))
        return False
    dest = args[1]
    if not Path(dest).is_file():
        raise StorageError(f"生成“{Path(dest).name}”失败：文件没有写出。报送包未导出。")
    return True


def _readback_one(sink: DirSink, rel: str) -> None:
    from app.services.bundle.bag_writer import ReadbackError, hash_from_device
    target = sink._target(rel)
    with os_errors(target):
        sha, _n = hash_from_device(target)
    if sha != sink.written[rel]:
        raise ReadbackError(f"写入后回读校验失败：{rel} 与写入的内容不一致。U盘可能已损坏或被拔出，报送包未封存。")


def _audit_export(ws, r: ExportResult, dest: Path) -> None:
    """Record who exported what (PIPL art. 55 evidence). A failure here never undoes the export."""
    detail = {"bag": r.bag_name, "path": str(r.path), "seal_code": r.seal.seal_code,
              "fingerprint": r.fingerprint, "files": r.payload_files, "bytes": r.payload_bytes,
              "personal_data": "masked" if r.masked else "full", "allow_incomplete": r.allow_incomplete,
              "blocking": r.blocking, "zip": r.as_zip}
    try:
        with ws.sessions() as s:
            s.add(AuditEntry(action="export", detail=json.dumps(detail, ensure_ascii=False)))
            s.commit()
    except Exception:  # noqa: BLE001
        log.exception("could not record the export of %s in the audit log", r.bag_name)
