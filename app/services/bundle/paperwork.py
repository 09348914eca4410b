"""The generated parts of a bundle: summary workbook, bundle.json, manifest, seal, forms, README.

Other modules provide the workbook, the sign-off forms and the compliance check;
each is optional (the bundle says which parts it has). Every payload hash is known
before a byte is copied (evidence hashes come from the database and the copy must
reproduce them), so all of this is prepared in a background thread while the
evidence streams to the stick.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app import APP_NAME
from app.errors import CancelledError, StorageError
from app.services import faults, keys
from app.services.bundle import layout as L
from app.services.bundle.records import BUNDLE_JSON, REPORT_PATH, BundlePlan, PayloadFile, write_bundle_json
from app.services.fileio import os_errors, sha256_file
from app.services.memory import release_free_memory
from app.services.progress import Progress
from app.services.seal import SealInfo, seal_code_for

log = logging.getLogger(__name__)


@dataclass
class Plugins:
    """The parts other modules provide (tests replace or leave out some; None: not produced)."""

    write_report: Callable | None = None
    write_forms: Callable | None = None
    run_check: Callable | None = None
    # start_forms(ws, pdf, seal=pending, progress=...) -> job with .seal(s), .wait(progress), .cancel():
    # lays the forms out before the seal is known (see forms/sealjob.py); preferred to write_forms
    start_forms: Callable | None = None
    # warm_forms() -> handle with .close(): a layout process started at the beginning of an
    # export, handed to start_forms(..., warm=handle)
    warm_forms: Callable | None = None
    # share_snapshot(ws) -> (snapshot, compliance report) read once for the workbook and the forms,
    # which then take it as `shared=` (each read and checked the whole school again)
    share_snapshot: Callable | None = None


def default_plugins() -> Plugins:
    """The real workbook, forms and check (imported here: only an export needs them). A module
    that fails to import is an error, never a bundle quietly missing its forms."""
    from app.services.compliance import run_check
    from app.services.excel.report import write_report
    from app.services.forms.api import start_forms, warm_forms, write_forms
    return Plugins(write_report=write_report, write_forms=write_forms, run_check=run_check,
                   start_forms=start_forms, warm_forms=warm_forms, share_snapshot=share_snapshot)


def check_sharing_snapshot(ws, plugins: Plugins):
    """(compliance report, (snapshot, report) for the paperwork or None). The real check runs
    on the snapshot the workbook and the forms then share; a check a caller replaced is
    called as given (and the paperwork reads the school itself)."""
    from app.services.compliance import run_check
    if plugins.share_snapshot is not None and plugins.run_check is run_check:
        shared = plugins.share_snapshot(ws)
        return shared[1], shared
    return plugins.run_check(ws), None


def share_snapshot(ws):
    """The school as the workbook and the forms read it, and its compliance report, made once."""
    from app.services.compliance import run_on_snapshot
    from app.services.snapshot import load_ws
    snap = load_ws(ws)
    return snap, run_on_snapshot(snap)


@dataclass
class Paperwork:
    """What is generated rather than copied: workbook, bundle.json, manifest, seal, forms."""

    report_file: PayloadFile | None = None
    bundle_json: PayloadFile | None = None      # written to the staging folder
    manifest: bytes = b""
    seal: SealInfo | None = None
    pdf: Path | None = None
    parts: dict[str, bool] = field(default_factory=dict)


def forms_pdf(staging: Path) -> Path:
    """Where the sign-off forms of an export are laid out."""
    return staging / "forms.pdf"


def start_layout(ws, plugins: Plugins, staging: Path, fingerprint: str, incomplete: bool,
                 progress: Progress, warm=None, shared=None):
    """Start laying out the sign-off forms before the seal is known; the job (None when the
    forms module cannot, or prints only after sealing: prepare() then prints them there).

    The exporter calls this as soon as the compliance check is done, before it reads the
    payload's records: the layout is the longest piece of an export of many teachers and
    few files, and only the incomplete flag of the seal shows in it (the seal code, the
    bag name and the school code are printed from the final seal when the file is saved)."""
    if plugins.start_forms is None:
        return None
    pending = SealInfo(seal_code="", digest_hex="", fingerprint=fingerprint, school_code="", bag_name="",
                       allow_incomplete=incomplete)
    try:
        return plugins.start_forms(ws, forms_pdf(staging), seal=pending, progress=progress,
                                   **({"shared": shared} if shared is not None else {}),
                                   **({"warm": warm} if warm is not None else {}))
    except NotImplementedError:
        log.warning("the forms module cannot print before sealing; printing after the seal")
        return None


def prepare(ws, plan: BundlePlan, plugins: Plugins, unmask: bool, staging: Path,
               extra: dict, key: keys.SchoolKeyInfo, name: str, incomplete: bool,
               progress: Progress, job=None, snapshot=None,
               on_sealed: Callable[[Paperwork], None] | None = None) -> Paperwork:
    """Everything the seal depends on, then the forms that print it.

    Every payload hash is known before a byte is copied (evidence hashes come from the
    database and the copy must reproduce them), so the manifest, the seal code and the
    sign-off PDF are prepared while the evidence streams to the stick. `job`: the forms'
    layout started earlier (start_layout), in a child process (the second core); it only
    receives the seal once the workbook, bundle.json and manifest exist; a failure or
    cancel at any step stops it. Without a job the forms are printed after the seal
    (plugins.write_forms). The fault points keep their order. `on_sealed(paperwork)`: called
    once the seal is handed to the job, while the layout goes on (everything but the forms
    is there then).
    """
    out = Paperwork(parts={"bundle.json": True, "报表/汇总.xlsx": False, L.FORMS_PDF: False})
    files = list(plan.files)
    pdf = forms_pdf(staging)
    # `snapshot`: [(snapshot, report)] from the export's check, emptied here: the submitted call
    # keeps its arguments until it returns, and the rows must be freed after the workbook
    shared = {"shared": snapshot.pop()} if snapshot else {}
    try:
        if not shared and plugins.share_snapshot is not None and plugins.write_report:
            shared = {"shared": plugins.share_snapshot(ws)}
        if plugins.write_report is not None:
            xlsx = staging / "汇总.xlsx"
            if call_plugin(plugins.write_report, ws, xlsx, unmask=unmask, progress=progress, **shared):
                with os_errors(xlsx):
                    out.report_file = PayloadFile(REPORT_PATH, sha256_file(xlsx), xlsx.stat().st_size, xlsx,
                                                  "report", "汇总.xlsx")
                files.append(out.report_file)
                out.parts["报表/汇总.xlsx"] = True
        shared = {}                          # the snapshot is no longer needed
        release_free_memory()                # the snapshot and the workbook's rows, freed now
        faults.hit("export.report")
        extra = dict(extra, parts={k: v for k, v in out.parts.items() if k != L.FORMS_PDF})
        out.bundle_json = _write_json_file(plan, staging / "bundle.json", extra, files)
        plan.records, extra = {}, {}         # no longer needed; the forms can use the memory
        release_free_memory()
        faults.hit("export.bundle_json")
        entries = {f.path: f.sha256 for f in files}
        entries[BUNDLE_JSON] = out.bundle_json.sha256
        out.manifest = L.manifest_bytes(entries)
        seal_code, digest = seal_code_for(out.manifest)
        out.seal = SealInfo(seal_code=seal_code, digest_hex=digest, fingerprint=key.fingerprint,
                            school_code=plan.school_code, bag_name=name, allow_incomplete=incomplete)
        faults.hit("export.manifest")
        if job is not None:
            job.seal(out.seal)
            if on_sealed is not None:
                on_sealed(out)
            job.wait(progress)
            job.close()
            if not pdf.is_file():
                raise StorageError(f"生成“{pdf.name}”失败：文件没有写出。报送包未导出。")
            out.pdf = pdf
            out.parts[L.FORMS_PDF] = True
        elif plugins.write_forms is not None:
            if call_plugin(plugins.write_forms, ws, pdf, kind=None, teacher=None, seal=out.seal,
                           progress=progress):
                out.pdf = pdf
                out.parts[L.FORMS_PDF] = True
        faults.hit("export.forms")
    except BaseException:
        if job is not None:
            job.cancel()                     # the layout never outlives a failed export
        raise
    return out


class _HashingWriter:
    """A binary file that hashes and counts what is written through it."""

    def __init__(self, fh) -> None:
        self.fh, self.h, self.size = fh, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.h.update(data)
        self.size += len(data)


def _write_json_file(plan: BundlePlan, path: Path, extra: dict, files: list[PayloadFile]) -> PayloadFile:
    """bundle.json streamed to `path` (never the whole document in memory at once)."""
    with os_errors(path):
        with open(path, "wb", buffering=1024 * 1024) as fh:
            out = _HashingWriter(fh)
            write_bundle_json(plan, out, extra=extra, files=files)
    return PayloadFile(BUNDLE_JSON, out.h.hexdigest(), out.size, path, "records", "bundle.json")


class Linked(Progress):
    """The progress a background part gets: silent, but cancelled with the export."""

    def __init__(self, parent: Progress, abort: threading.Event) -> None:
        super().__init__(None)
        self._parent, self._abort = parent, abort

    def check(self) -> None:
        if self._abort.is_set():
            raise CancelledError()
        self._parent.check()


def generated_estimate(plan: BundlePlan) -> list[int]:
    """Sizes to reserve for the workbook and bundle.json before they exist."""
    return [1024 ** 2 + 16 * 1024 * plan.teacher_count, 64 * 1024 + 2 * 1024 * plan.record_rows]


def call_plugin(fn: Callable, *args, **kwargs) -> bool:
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


def readme_text(plan: BundlePlan, name: str, seal: SealInfo, key: keys.SchoolKeyInfo, incomplete: bool,
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
