"""`ingest`: take in bundles from folders, zips or a stick's root, in two workers, memory bounded.

For each bundle found (`discover`):

1. its manifest is hashed (cheap) to see whether the office already has this very bundle;
2. a worker verifies it with `verify_path` (exact file set, every hash streamed in 4 MB pieces,
   the signature) against the key the register holds for its school — two bundles at a time,
   since hashlib and file reads release the GIL, so both cores work;
3. the worker re-reads the texts it verified (`bundle_doc.read_verified`) and re-checks the
   records with the district's programme (`recheck`);
4. the calling thread records the outcomes in order (same school: oldest export first), one
   transaction per bundle: 接收, 拒收 (with every reason), 待确认 (first bundle of a school with no
   registered key: its fingerprint must be confirmed against the paper form) or 已接收过.

With `copy=True` the bag (folder or zip) is first copied into `<data>/district/copies/` and the
copy is what gets verified and kept; otherwise the evidence stays where it is (2 TB of bundles
need neither 2 TB of memory nor a second copy). A hostile bundle is refused by name and never
stops the others; anything unexpected is logged and reported as refused. Cancelling stops after
the bundles already recorded (each is whole) and removes a half-made copy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import threading
import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import select

from app.errors import AppError, CancelledError, StorageError
from app.models.district import ReceivedBundle
from app.services.bundle import layout as L
from app.services.bundle.export import quick_thread_switches
from app.services.bundle.minisign import parse_public_key
from app.services.bundle.verify import BagReport, RegisteredKey, verify_path
from app.services.district import bundle_doc, recording, register
from app.services.district.discover import Candidate, find_bundles
from app.services.district.office import district_dir, require_office
from app.services.district.recheck import headline, recheck
from app.services.fileio import COPY_CHUNK, advise_sequential, describe_os_error
from app.services.programmes.store import applied_doc
from app.services.progress import NO_PROGRESS, Progress
from app.services.seal import fingerprint_for

log = logging.getLogger(__name__)
WORKERS = 2
INCOMING = ".incoming"


@dataclass(frozen=True)
class IngestOptions:
    copy: bool = False
    confirm: tuple[str, ...] = ()          # fingerprints typed from paper forms (first bundle of a school)
    workers: int = WORKERS


@dataclass(frozen=True)
class IntakeOutcome:
    path: str
    outcome: str                           # 接收 / 拒收 / 待确认 / 已接收过
    unit_code: str = ""
    school_name: str = ""
    seal_code: str = ""
    fingerprint: str = ""
    message: str = ""
    details: tuple[str, ...] = ()
    version: int = 0
    bundle_id: int | None = None
    recheck: str = ""

    def to_dict(self) -> dict:
        return {"path": self.path, "outcome": self.outcome, "school": self.unit_code, "name": self.school_name,
                "seal_code": self.seal_code, "fingerprint": self.fingerprint, "message": self.message,
                "details": list(self.details), "version": self.version, "bundle_id": self.bundle_id,
                "recheck": self.recheck}


@dataclass
class IntakeSummary:
    outcomes: list[IntakeOutcome] = field(default_factory=list)
    bytes_checked: int = 0
    seconds: float = 0.0
    cancelled: bool = False

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def all_in(self) -> bool:
        return all(o.outcome in (recording.OUTCOME_ACCEPTED, recording.OUTCOME_DUPLICATE) for o in self.outcomes)

    def text(self) -> str:
        parts = [f"{k} {self.count(k)} 个" for k in (recording.OUTCOME_ACCEPTED, recording.OUTCOME_PENDING,
                                                    recording.OUTCOME_REFUSED, recording.OUTCOME_DUPLICATE)
                 if self.count(k)]
        head = "已取消。" if self.cancelled else ""
        return head + ("，".join(parts) if parts else "没有处理任何报送包")

    def to_dict(self) -> dict:
        return {"outcomes": [o.to_dict() for o in self.outcomes], "bytes_checked": self.bytes_checked,
                "seconds": round(self.seconds, 2), "cancelled": self.cancelled, "summary": self.text(),
                "counts": {k: self.count(k) for k in (recording.OUTCOME_ACCEPTED, recording.OUTCOME_PENDING,
                                                      recording.OUTCOME_REFUSED, recording.OUTCOME_DUPLICATE)}}


@dataclass
class _Plan:
    cand: Candidate
    info: dict[str, str]
    manifest_digest: str
    unit_code: str
    key: RegisteredKey | None
    retired: dict[str, str]                # fingerprint → retired date (for the refusal message)


@dataclass
class _Checked:
    plan: _Plan
    report: BagReport | None = None
    texts: bundle_doc.BagTexts | None = None
    recheck: dict[str, Any] | None = None
    location: str = ""
    copied: bool = False
    copy_path: Path | None = None
    kept: str = ""                         # district/records/<kept>: the texts, written by the worker
    error: str = ""
    details: list[str] = field(default_factory=list)


class _Meter:
    """Sums the bytes hashed by both workers into one progress bar; cancelling reaches both."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress, self.total = progress, max(total, 1)
        self._done: dict[int, int] = {}
        self._lock = threading.Lock()
        self.finished = 0

    def for_bag(self, key: int, name: str) -> "_BagProgress":
        return _BagProgress(self, key, name)

    def update(self, key: int, done: int, text: str) -> None:
        with self._lock:
            self._done[key] = done
            total = self.finished + sum(self._done.values())
            self.progress.report(min(total, self.total), self.total, text)

    def close(self, key: int) -> None:
        with self._lock:
            self.finished += self._done.pop(key, 0)


class _BagProgress:
    def __init__(self, meter: _Meter, key: int, name: str) -> None:
        self.meter, self.key, self.name = meter, key, name
        self.offset = 0                        # bytes already counted for this bag (its copy)

    def check(self) -> None:
        self.meter.progress.check()

    def report(self, done: int, total: int, text: str = "", *, force: bool = False) -> None:
        self.meter.update(self.key, self.offset + done, text if text.startswith("正在复制") else f"正在核验 {self.name}")


def _manifest_digest(cand: Candidate) -> str:
    try:
        with bundle_doc.BagSource(cand.path, cand.kind) as src:
            data = src.read(L.MANIFEST, bundle_doc.CAP_MANIFEST)
    except (AppError, OSError, ValueError):
        return ""
    return hashlib.sha256(data).hexdigest() if data is not None else ""


def _registered(s, unit_code: str) -> tuple[RegisteredKey | None, dict[str, str]]:
    key = register.current_key(s, unit_code) if unit_code else None
    retired = {k.fingerprint: f"{k.retired_at:%Y-%m-%d}" for k in register.retired_keys(s, unit_code)} if unit_code else {}
    if key is None:
        return None, retired
    pk = None
    if key.public_key:
        try:
            pk = parse_public_key(key.public_key)
        except ValueError:
            pk = None
    return RegisteredKey(key.fingerprint, pk, key.source), retired


def _bag_size(cand: Candidate, info: dict[str, str]) -> int:
    try:
        return int(info.get("Payload-Oxum", "").split(".")[0])
    except ValueError:
        try:
            return cand.path.stat().st_size if cand.kind == "zip" else 0
        except OSError:
            return 0


def _copy_bag(ws, cand: Candidate, progress: _BagProgress, size: int) -> tuple[Path, list[str]]:
    """Copy a bag into district/copies/<name>.partial (never following links); returns (copy, problems)."""
    root = district_dir(ws, "copies")
    free = shutil.disk_usage(root).free
    if size and free < size + 64 * 1024 ** 2:
        raise StorageError(f"区县数据文件夹所在磁盘只剩 {free / 1024 ** 3:.1f} GB，复制这个报送包需要约 "
                           f"{size / 1024 ** 3:.1f} GB。请腾出空间，或不复制（证据留在原处）。")
    # Copied under .incoming/<random>/ with the bag's own name (verify refuses a name ending in .partial);
    # moved up into copies/ only once accepted.
    target = root / INCOMING / uuid.uuid4().hex[:12] / cand.path.name
    problems: list[str] = []
    done = 0
    buf = bytearray(COPY_CHUNK)

    def copy_file(src: Path, dst: Path) -> None:
        nonlocal done
        dst.parent.mkdir(parents=True, exist_ok=True)
        with open(src, "rb", buffering=0) as fi, open(dst, "xb") as fo:
            advise_sequential(fi)
            while k := fi.readinto(buf):
                fo.write(memoryview(buf)[:k])
                done += k
                progress.report(done, size, f"正在复制 {cand.path.name}")
            fo.flush()
            os.fsync(fo.fileno())

    try:
        if cand.kind == "zip":
            copy_file(cand.path, target)
        else:
            for dirpath, dirs, files in os.walk(cand.path, followlinks=False):
                rel_dir = Path(dirpath).relative_to(cand.path)
                for d in list(dirs):
                    if os.path.islink(os.path.join(dirpath, d)):
                        problems.append(f"{(rel_dir / d).as_posix()}：是链接，不予复制")
                        dirs.remove(d)
                for f in files:
                    src = Path(dirpath, f)
                    st = os.lstat(src)
                    if not stat.S_ISREG(st.st_mode):
                        problems.append(f"{(rel_dir / f).as_posix()}：不是普通文件（可能是链接），不予复制")
                        continue
                    copy_file(src, target / rel_dir / f)
    except OSError as exc:
        _remove(target)
        raise StorageError(describe_os_error(exc, cand.path, "复制报送包")) from exc
    except BaseException:
        _remove(target)
        raise
    return target, problems


def _remove(path: Path | None) -> None:
    """Remove a copy that was not accepted (with its .incoming/<random>/ folder)."""
    if path is None:
        return
    if path.parent.parent.name == INCOMING:
        shutil.rmtree(path.parent, ignore_errors=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _place_copy(copy: Path) -> Path:
    """Move an accepted copy from .incoming/ to copies/<name> (a new name if taken)."""
    root = copy.parent.parent.parent
    final, n = root / copy.name, 1
    while final.exists():
        n += 1
        final = root / f"{copy.stem}-{n}{copy.suffix}" if copy.suffix == ".zip" else root / f"{copy.name}-{n}"
    os.replace(copy, final)
    shutil.rmtree(copy.parent, ignore_errors=True)
    return final


def _check(ws, plan: _Plan, options: IngestOptions, meter: _Meter, key: int, district_rules: dict) -> _Checked:
    """Runs on a worker thread: (copy,) verify, read the texts, re-check. Never raises except on cancel."""
    out = _Checked(plan, location=str(plan.cand.path))
    progress = meter.for_bag(key, plan.cand.name)
    target = plan.cand.path
    try:
        if options.copy:
            target, problems = _copy_bag(ws, plan.cand, progress, _bag_size(plan.cand, plan.info))
            out.copy_path, out.copied, out.location = target, True, str(target)
            progress.offset = _bag_size(plan.cand, plan.info)
            if problems:
                out.details += problems
        report = verify_path(target, plan.key, progress)
        out.report = report
        if report.ok and not out.details:
            out.texts = bundle_doc.read_verified(target, plan.cand.kind, report.seal_digest)
            out.recheck = recheck(out.texts.doc, district_rules)
            # Written here, off the recording thread (file I/O and fsync); removed again if not accepted.
            out.kept = bundle_doc.keep(ws, out.texts, recording.records_name(plan.unit_code, report.seal_digest))
    except CancelledError:
        _remove(out.copy_path)
        raise
    except AppError as exc:
        out.error = exc.user_message
        out.details += exc.details
    except Exception as exc:                      # noqa: BLE001 - one bundle never stops the others
        log.exception("ingest of %s failed", plan.cand.path)
        out.error = f"处理时发生意外错误（{type(exc).__name__}），已记入日志。"
    finally:
        meter.close(key)
    return out


def _refusal(c: _Checked) -> tuple[str, list[str]]:
    """The Chinese reason a bundle is refused, and the details (every file, every problem)."""
    r, plan = c.report, c.plan
    if r is None:
        return c.error or "无法核验。", c.details
    details = list(c.details) + [e for e in r.errors if e != r.signature.message]
    details += [f"缺少：{p}" for p in r.missing] + [f"多出：{p}" for p in r.extra] + [f"被改动：{p}" for p in r.altered]
    if c.error:
        return c.error, details
    if r.unfinished:
        return "这是未完成的导出（名称以 .partial 结尾），不是已封存的报送包。请学校重新导出。", details
    sig = r.signature
    if sig.registered is False and sig.status == "no-key":
        return ("报送包中缺少学校公钥文件 school.pub，区县只登记了该校的公钥指纹，无法核对签名。"
                "请学校交来公钥文件（.pub），在“密钥登记”中登记后重新接收。"), details
    if sig.registered is False:
        got = sig.bundled_fingerprint or sig.key_fingerprint
        head = (f"签名密钥与登记的不一致：报送包由指纹为 {got or '（未知）'} 的密钥签名，"
                f"区县为该校登记的是 {plan.key.fingerprint if plan.key else '（无）'}。")
        if got in plan.retired:
            head += f"这是该校已于 {plan.retired[got]} 停用的旧密钥。"
        else:
            head += "可能学校更换了密钥（换电脑、重装系统），或在另一台电脑上导出，也可能报送包被他人重新签名。"
        history = _key_history_lines(c)
        if history:
            head += "学校记录（报送包自述，未经核实）：" + "；".join(history) + "。"
        head += "请学校提交盖章的新密钥登记表，区县登记新指纹（更换密钥）后重新接收。"
        return head, details
    if r.altered or r.missing or r.extra:
        return (f"报送包在封存后被改动：{len(r.altered)} 个文件内容不符、缺少 {len(r.missing)} 个、多出 {len(r.extra)} 个。"
                "请学校重新导出，或查明原因。"), details
    own = [e for e in r.errors if e != sig.message]
    if own:                                   # not a bag at all, unsafe names, links…: the first says why
        return own[0], [d for d in details if d != own[0]]
    if not sig.good:
        return sig.message or "签名无效。", details
    return "未通过核验。", details


def _key_history_lines(c: _Checked) -> list[str]:
    doc = bundle_doc.read_unverified_doc(c.plan.cand.path if c.copy_path is None else c.copy_path, c.plan.cand.kind)
    lines = []
    for h in (doc or {}).get("key_history") or []:
        if isinstance(h, dict) and h.get("action") == "key-replace":
            lines.append(f"{str(h.get('at', ''))[:10]} 更换密钥（{h.get('old_fingerprint') or '原密钥'} → "
                         f"{h.get('new_fingerprint', '')}）" + (f"，原因：{h['reason']}" if h.get("reason") else ""))
    return lines[-3:]


def _pending_or_accept(c: _Checked, confirm: set[str]) -> tuple[str, str]:
    """For a good bundle: ('accept', '') / ('confirm', '') / ('pending', message)."""
    sig = c.report.signature
    if c.plan.key is not None:
        return "accept", ""
    fp = sig.key_fingerprint
    if fp in confirm:
        return "confirm", ""
    message = (f"该校尚未登记公钥。报送包的签名有效，密钥指纹为 {fp}。请与学校交来的盖章密钥登记表逐组核对，"
               "一致后输入指纹确认接收。")
    if confirm:
        message = f"输入的指纹与报送包的密钥指纹 {fp} 不一致，未接收。" + message
    return "pending", message


def ingest(ws, paths: list[str | Path], options: IngestOptions = IngestOptions(),
           progress: Progress = NO_PROGRESS) -> IntakeSummary:
    """Verify, re-check and record every bundle under `paths`; see the module docstring."""
    started = time.monotonic()
    summary = IntakeSummary()
    confirm = {register.parse_fingerprint(f) for f in options.confirm}
    with ws.sessions() as s:
        require_office(s)
        district_rules = applied_doc(s)
    candidates, problems = find_bundles(paths)
    with ws.sessions() as s:
        for p in problems:
            recording.log_event(s, path=p.path, outcome=recording.OUTCOME_REFUSED, message=p.message)
        s.commit()
    summary.outcomes += [IntakeOutcome(p.path, recording.OUTCOME_REFUSED, message=p.message) for p in problems]

    plans: list[_Plan] = []
    known: dict[str, ReceivedBundle] = {}
    with ws.sessions() as s:
        for cand in candidates:
            progress.check()
            info = bundle_doc.peek(cand.path, cand.kind)
            unit = (info.get("External-Identifier") or "").strip()
            key, retired = _registered(s, unit)
            plans.append(_Plan(cand, info, _manifest_digest(cand), unit, key, retired))
        digests = [p.manifest_digest for p in plans if p.manifest_digest]
        for b in s.exec(select(ReceivedBundle).where(ReceivedBundle.seal_digest.in_(digests))):
            known[b.seal_digest] = b
    plans.sort(key=lambda p: (p.unit_code, p.info.get("Tisheng-Bag-Name", ""), str(p.cand.path)))
    to_check = []
    for p in plans:
        old = known.get(p.manifest_digest)
        if old is not None:
            summary.outcomes.append(_duplicate(ws, p, old))
        else:
            to_check.append(p)
    total = sum(_bag_size(p.cand, p.info) for p in to_check) * (2 if options.copy else 1)
    meter = _Meter(progress, total)
    pending: deque[tuple[_Plan, Future]] = deque()
    checked: _Checked | None = None
    with ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="district-ingest") as pool, \
            quick_thread_switches():
        try:
            queue = list(enumerate(to_check))
            while queue or pending:
                while queue and len(pending) < options.workers + 1:     # a short window: bounded memory
                    i, plan = queue.pop(0)
                    pending.append((plan, pool.submit(_check, ws, plan, options, meter, i, district_rules)))
                plan, fut = pending.popleft()
                checked = fut.result()
                progress.check()
                if checked.report is not None:
                    summary.bytes_checked += checked.report.bytes_checked
                outcome, checked = _conclude(ws, checked, confirm), None
                summary.outcomes.append(outcome)
        except CancelledError:
            summary.cancelled = True
            progress.cancel()
            if checked is not None:                 # checked, not recorded: its copy and texts go
                _remove(checked.copy_path)
                if checked.kept:
                    _drop_kept_unless_recorded(ws, checked.kept)
            for _plan, fut in pending:
                fut.cancel()
            for _plan, fut in pending:
                try:
                    c = fut.result()
                    _remove(c.copy_path)
                    if c.kept:
                        _drop_kept_unless_recorded(ws, c.kept)
                except BaseException:               # noqa: BLE001 - cancelled or failed: nothing kept
                    pass
    summary.seconds = time.monotonic() - started
    return summary


def _duplicate(ws, plan: _Plan, old: ReceivedBundle) -> IntakeOutcome:
    message = (f"区县已于 {old.received_at:%Y-%m-%d %H:%M} 接收过这个报送包（第 {old.version} 版），"
               "这次没有重复登记。")
    with ws.sessions() as s:
        recording.log_event(s, path=str(plan.cand.path), outcome=recording.OUTCOME_DUPLICATE, unit_code=old.unit_code,
                            school_name=old.school_name, seal_code=old.seal_code, fingerprint=old.key_fingerprint,
                            message=message)
        s.commit()
    return IntakeOutcome(str(plan.cand.path), recording.OUTCOME_DUPLICATE, old.unit_code, old.school_name,
                         old.seal_code, old.key_fingerprint, message, (), old.version, old.id)


def _conclude(ws, c: _Checked, confirm: set[str]) -> IntakeOutcome:
    """On the calling thread: write the outcome of one checked bundle (its kept texts go unless recorded)."""
    outcome = _decide(ws, c, confirm)
    if c.kept:
        _drop_kept_unless_recorded(ws, c.kept)
    return outcome


def _drop_kept_unless_recorded(ws, name: str) -> None:
    with ws.sessions() as s:
        used = s.exec(select(ReceivedBundle.id).where(ReceivedBundle.records_dir == name)).first()
    if used is None:
        Path(ws.paths.root, "district", "records", name).unlink(missing_ok=True)


def _decide(ws, c: _Checked, confirm: set[str]) -> IntakeOutcome:
    plan, r = c.plan, c.report
    path = str(plan.cand.path)
    name = (r.info.get("school") if r else "") or plan.info.get("Source-Organization", "")
    seal = (r.seal_code if r else "") or plan.info.get("Tisheng-Seal-Code", "")
    fp = (r.signature.key_fingerprint or r.signature.bundled_fingerprint) if r else ""
    unit = plan.unit_code
    ok = r is not None and r.ok and c.texts is not None and not c.error and not c.details
    if ok:
        decision, message = _pending_or_accept(c, confirm)
        doc_school = c.texts.doc.get("school") if isinstance(c.texts.doc.get("school"), dict) else {}
        if str(doc_school.get("code") or "") != plan.unit_code:
            decision, message = "refuse", (f"bag-info.txt 中的学校代码“{plan.unit_code}”与学校记录中的"
                                           f"“{doc_school.get('code', '')}”不一致，未接收。")
        if decision in ("accept", "confirm"):
            with ws.sessions() as s:        # the same bundle twice on one stick: the first one counts
                old = s.exec(select(ReceivedBundle).where(ReceivedBundle.seal_digest == r.seal_digest)).first()
            if old is not None:
                _remove(c.copy_path)
                return _duplicate(ws, plan, old)
            pk = _signer_key(plan, c)
            bag = recording.AcceptedBag(path, seal, r.seal_digest, unit, str(doc_school.get("name") or name), fp, pk,
                                        c.texts, c.location, c.copied, c.recheck or {}, decision == "confirm",
                                        list(r.warnings if r.warnings else []), c.kept)
            bag.warnings = [w for w in bag.warnings if "尚未与区县登记的公钥核对" not in w]
            try:
                if c.copy_path is not None:
                    bag.location = str(_place_copy(c.copy_path))
                    c.copy_path = None
                row, warnings = recording.record(ws, bag)
            except Exception as exc:               # noqa: BLE001 - e.g. the same bundle twice in one intake
                _remove(c.copy_path if c.copy_path is not None else (Path(bag.location) if c.copied else None))
                log.exception("recording %s failed", path)
                return _refused(ws, plan, path, unit, name, seal, fp,
                                f"登记时出错：{getattr(exc, 'user_message', type(exc).__name__)}", [])
            return IntakeOutcome(path, recording.OUTCOME_ACCEPTED, unit, bag.school_name, seal, fp,
                                 f"已接收（第 {row.version} 版）" + ("，已登记该校公钥" if decision == "confirm" else ""),
                                 tuple(warnings), row.version, row.id, headline(c.recheck or {}))
        if decision == "pending":
            _remove(c.copy_path)
            with ws.sessions() as s:
                recording.log_event(s, path=path, outcome=recording.OUTCOME_PENDING, unit_code=unit, school_name=name,
                                    seal_code=seal, fingerprint=fp, message=message)
                s.commit()
            return IntakeOutcome(path, recording.OUTCOME_PENDING, unit, name, seal, fp, message)
        _remove(c.copy_path)
        return _refused(ws, plan, path, unit, name, seal, fp, message, [])
    _remove(c.copy_path)
    message, details = _refusal(c)
    return _refused(ws, plan, path, unit, name, seal, fp, message, details)


def _signer_key(plan: _Plan, c: _Checked) -> str:
    if plan.key is not None and plan.key.public_key is not None:
        return plan.key.public_key.b64
    pub = c.texts.files.get(L.PUBKEY) if c.texts else None
    if pub is None:
        return ""
    try:
        pk = parse_public_key(pub.decode("utf-8", errors="replace"))
    except ValueError:
        return ""
    return pk.b64 if fingerprint_for(pk.raw) == c.report.signature.key_fingerprint else ""


def _refused(ws, plan: _Plan, path: str, unit: str, name: str, seal: str, fp: str, message: str,
             details: list[str]) -> IntakeOutcome:
    with ws.sessions() as s:
        recording.log_event(s, path=path, outcome=recording.OUTCOME_REFUSED, unit_code=unit, school_name=name,
                            seal_code=seal, fingerprint=fp, message=message, details=details[:200])
        s.commit()
    return IntakeOutcome(path, recording.OUTCOME_REFUSED, unit, name, seal, fp, message, tuple(details[:200]))
