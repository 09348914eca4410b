"""Export the sealed bundle (报送包) onto a stick.

Order (see /work/shared/spec/bundle.md): start a forms layout process → compliance
check (blocking findings refuse unless allow_incomplete) → probe the target → hand
the forms' data to the layout process → read the payload's records → check the
target's room and FAT32 limits → stream the evidence
into `<name>.partial` (several small files at once), while in the background
(paperwork.py) the summary workbook, bundle.json, the manifest, the seal code and
the sign-off PDF with that seal are prepared → workbook, bundle.json, manifest, PDF
→ bagit.txt, bag-info.txt, school.pub, README → tag manifest → read every file back
from the device (only now: a fake-capacity stick overwrites early files with later
ones, so an earlier read-back would pass a bag it then damages) → signature,
written last → rename. Only a finished export writes to the database (one audit
entry).

On a file system that rewrites files in place, room for the forms and the tag files
is reserved before the evidence (reserved.py); the workbook, bundle.json and the
manifest are written as soon as the seal is known, and everything is read back
while the forms are still being laid out; at the end only the forms and the tag
files, rewritten into their room, are read back.

A `.partial` left by a crash or a pulled stick is picked up by the next export:
intact payload files are kept (re-hashed), everything else is rewritten.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app import __version__
from app.errors import AppError, StorageError
from app.models import AuditEntry
from app.services import faults, keys
from app.services.bundle import layout as L
from app.services.bundle import district_fields, minisign, reserved
from app.services.bundle.bag_writer import DirSink, ReadbackError, bytes_under, hash_from_device, remove_tree
from app.services.bundle.destination import (Destination, check_room, human_size,  # noqa: F401
                                             probe_destination, space_needed)
from app.services.bundle.paperwork import (Linked, Plugins, check_sharing_snapshot, default_plugins,
                                           generated_estimate, prepare, readme_text, start_layout)
from app.services.bundle.records import BUNDLE_JSON, REPORT_PATH, build_plan
from app.services.bundle.zip_sink import ZipSink
from app.services.fileio import describe_os_error, os_errors, sha256_file
from app.services.memory import release_free_memory
from app.services.progress import NO_PROGRESS, Progress
from app.services.seal import SealInfo

log = logging.getLogger(__name__)

FAULT_POINTS = ("export.start", "export.report", "export.bundle_json", "export.preflight",
                "export.payload", "export.manifest", "export.forms", "export.tagfiles",
                "export.tagmanifest", "export.readback", "export.signature", "export.rename")


class ExportBlockedError(AppError):
    """Blocking compliance findings, and the user did not choose allow_incomplete."""

    def __init__(self, findings: list) -> None:
        super().__init__(
            f"还有 {len(findings)} 项必须处理的问题，报送包未导出。请先处理这些问题；"
            "如区县同意先报送不完整的材料，可在“导出与打印”页面勾选“仍有必须处理的问题时也导出（不完整报送）”，"
            "该选择会写入报送包和签字确认表。",
            cli_hint="区县同意先报送不完整的材料时，命令行加 --allow-incomplete。",
            details=[getattr(f, "message", str(f)) for f in findings[:100]]
            + ([f"……另有 {len(findings) - 100} 项"] if len(findings) > 100 else []))
        self.findings = findings


@dataclass(frozen=True)
class ExportOptions:
    unmask_personal: bool = False
    allow_incomplete: bool = False
    as_zip: bool = False


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
    sizes = [f.size for f in plan.files] + generated_estimate(plan)
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
    plugins = plugins if plugins is not None else default_plugins()
    with export_lock(ws), quick_thread_switches():
        warm = plugins.warm_forms() if plugins.warm_forms is not None else None
        try:
            return _export(ws, dest, options, progress, plugins, warm)
        finally:
            if warm is not None:
                warm.close()                     # a layout process the forms did not take


class _PaperworkFailed(Exception):
    """Stops the copy when the paperwork thread has failed (its own error is raised after)."""


@contextmanager
def quick_thread_switches(seconds: float = 0.0001):
    """While exporting, hand the GIL over within 0.1 ms instead of 5 ms.

    The copy threads need the GIL for a moment around each system call (open, sendfile,
    close: several per file), while the paperwork thread builds the summary workbook in
    pure Python; each of those moments waits up to the switch interval. At 5 ms that
    doubled the copy of 2 GB in 4 MB pieces; at 0.5 ms it still more than doubled the
    copy of a 2,000-teacher school's 13,759 small files (about ten moments each)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, seconds))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _export(ws, dest: str | Path, options: ExportOptions, progress: Progress,
            plugins: Plugins, warm) -> ExportResult:
    started = time.monotonic()
    faults.hit("export.start")
    compliance: dict
    blocking: list = []
    n_warnings = 0
    shared = None
    if plugins.run_check is not None:
        progress.report(0, 1, "正在检查达标情况…", force=True)
        report, shared = check_sharing_snapshot(ws, plugins)
        blocking = list(report.blocking)
        n_warnings = len(report.findings) - len(blocking)
        if blocking and not options.allow_incomplete:
            raise ExportBlockedError(blocking)
    else:
        report = None
        compliance = {"checked": False, "note": "导出时达标检查功能不可用，未做检查。"}
    incomplete = bool(blocking) and options.allow_incomplete
    key = keys.school_key(ws)
    dest_path = Path(dest).expanduser()
    d = probe_destination(dest_path)             # a missing or read-only target: refused before any work

    staging = ws.paths.tmp / f"export-{uuid.uuid4().hex[:12]}"
    with os_errors(staging):
        staging.mkdir(parents=True, exist_ok=True)
    sink = None
    abort = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-paperwork")
    job = None
    forms = None
    try:
        # the forms' layout, the longest piece when there are many teachers, starts before the
        # payload's records are read (it has its data from the check's snapshot)
        forms = start_layout(ws, plugins, staging, key.fingerprint, incomplete, Linked(progress, abort), warm,
                             shared)
        if report is not None:                 # for bundle.json (after the layout's start: 7,000 findings take 0.15 s)
            compliance = dict(report.to_dict())
            compliance["checked"] = True
            report = None                      # (its rows: shared with the paperwork, freed after the workbook)
        progress.report(0, 1, "正在读取学校记录…", force=True)
        plan = build_plan(ws, unmask=options.unmask_personal)
        progress.check()
        # the rows read for the plan and the check are garbage now: hand their pages back
        # (the whole process tree counts)
        release_free_memory()
        when = datetime.now()
        name = _unused_name(d.path, bag_name_for(plan.school_code, when))
        stale = _stale_partials(d.path, name)
        resume = None
        if not options.as_zip:
            dirs = [p for p in stale if p.is_dir() and not p.name.endswith(".zip.partial")]
            resume = dirs[-1] if dirs else None
        for p in stale:
            if p != resume:
                remove_tree(p)
        reusable = bytes_under(resume / "data") if resume is not None else 0
        generated = generated_estimate(plan)
        # room for what is written after an early read-back (none without a layout running meanwhile)
        rooms = ({L.FORMS_PDF: reserved.forms_room(plan.teacher_count), **reserved.TAG_ROOM}
                 if forms is not None and not options.as_zip and reserved.rewrites_in_place(d.fs_type) else {})
        check_room(d, [f.size for f in plan.files] + generated + list(rooms.values()), as_zip=options.as_zip,
                   reusable=reusable)
        faults.hit("export.preflight")

        linked = district_fields.bundle_fields(ws)
        extra = {
            **linked,
            "bag_name": name,
            "exported_at": when.astimezone().isoformat(timespec="seconds"),
            "key_fingerprint": key.fingerprint,
            "allow_incomplete": incomplete,
            "incomplete": {"allowed_by_user": options.allow_incomplete, "blocking": len(blocking)},
            "compliance": compliance,
        }
        compliance_checked = bool(compliance.get("checked"))
        del compliance
        sealed: Future | None = Future() if rooms else None     # the paperwork but the forms, once sealed
        job = pool.submit(prepare, ws, plan, plugins, options.unmask_personal, staging, extra, key, name,
                          incomplete, Linked(progress, abort), forms, [shared] if shared else None,
                          on_sealed=sealed.set_result if sealed is not None else None)
        shared = forms = None                  # prepare() owns the layout job now
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
            for rel, size in rooms.items():
                sink.reserve(rel, size)
        def after_each(rel: str) -> None:
            current[0] = f"正在写入 {rel[5:]}"
            faults.hit("export.payload")
            if job.done() and job.exception() is not None:
                raise _PaperworkFailed()                # stop copying now; job.result() says why

        try:
            sink.put_files(((f.path, f.source, f.sha256, f.size) for f in sorted(plan.files, key=lambda f: f.path)),
                           on_bytes, after_each)
        except _PaperworkFailed:
            pass

        def text(rel: str) -> None:
            current[0] = f"正在回读校验 {rel}"

        if not job.done():
            progress.report(min(done, total_work - 1), total_work, "正在生成汇总表和签字确认表…", force=True)
        early = False
        if sealed is not None:
            wait([sealed, job], return_when=FIRST_COMPLETED)
            if sealed.done() and not job.done():     # the forms are still being laid out: read back now
                _put_generated(sink, sealed.result(), on_bytes)
                sink.check_now(on_bytes, text)
                early = True
                progress.report(min(done, total_work - 1), total_work, "正在生成签字确认表…", force=True)
        paper = job.result()
        if not early:
            _put_generated(sink, paper, on_bytes)
        files = list(plan.files) + ([paper.report_file] if paper.report_file is not None else [])
        bj = paper.bundle_json
        payload_bytes = sum(f.size for f in files) + bj.size
        payload_count = len(files) + 1
        total_work = 2 * payload_bytes
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
            ("Tisheng-Program-Hash", plan.programme_hash),
            ("Tisheng-Teacher-Count", plan.teacher_count),
            ("Tisheng-Personal-Data", "masked" if plan.masked else "full"),
            ("Tisheng-Compliance", "checked" if compliance_checked else "not-checked"),
            ("Tisheng-Blocking-Findings", len(blocking)),
            ("Tisheng-Allow-Incomplete", "yes" if incomplete else "no"),
            ("Tisheng-Parts", ", ".join(k for k, v in parts.items() if v)),
        ]
        if parts_missing:
            info_fields.append(("Tisheng-Parts-Missing", ", ".join(parts_missing)))
        if linked["previous_bundle_code"]:
            info_fields.append(("Previous-Bundle-Code", linked["previous_bundle_code"]))
        if linked["district_programme"]:
            info_fields.append(("Tisheng-District-Program-Hash", linked["district_programme"]["hash"]))
        sink.put_bytes(L.BAGIT_TXT, L.BAGIT_TXT_BYTES)
        sink.put_bytes(L.BAG_INFO, L.bag_info_bytes(info_fields))
        sink.put_bytes(L.PUBKEY, key.pub_file_text.encode("ascii"))
        sink.put_bytes(L.README, readme_text(plan, name, seal, key, incomplete, parts_missing))
        faults.hit("export.tagfiles")

        tag_entries = {rel: sha for rel, sha in sink.written.items()
                       if not rel.startswith("data/") and rel not in (L.TAGMANIFEST, L.SIGNATURE)}
        tagmanifest = L.manifest_bytes(tag_entries)
        sink.put_bytes(L.TAGMANIFEST, tagmanifest)
        faults.hit("export.tagmanifest")

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
        if forms is not None:                 # failed before prepare() took the layout job
            forms.cancel()
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


def _put_generated(sink, paper, on_bytes) -> None:
    """The workbook, bundle.json and the manifest onto the target."""
    if paper.report_file is not None:
        rf = paper.report_file
        sink.put_file(rf.path, rf.source, rf.sha256, rf.size, on_bytes)
    bj = paper.bundle_json
    sink.put_file(bj.path, bj.source, bj.sha256, bj.size, on_bytes)
    sink.put_bytes(L.MANIFEST, paper.manifest)


def _readback_one(sink: DirSink, rel: str) -> None:
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
