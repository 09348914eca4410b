"""Verifying a bundle anywhere: exact file set, every hash, and the signature.

Checksums alone seal nothing (a bag whose tag manifest was deleted still passes
a plain BagIt validation), so a bag is valid only when:

* `tagmanifest-sha256.txt` and its minisign signature are there, the signature
  is good (by the district's registered key when one is given), and the tag
  manifest covers bagit.txt, bag-info.txt and manifest-sha256.txt;
* every file in both manifests is present and unaltered, and nothing else is
  there except the signature, the public key and known OS/lock files (warnings).

The bag's name is part of what was signed (`bag:` in the signature's trusted comment and
Tisheng-Bag-Name in bag-info.txt): a folder or zip renamed after sealing, such as last term's
bundle handed in again under a newer name, is a finding, and the report shows the sealed name
and sealing time.

Nothing from the bundle is executed or rendered. Every file is hashed before anything reads it
further; bundle.json is parsed (as bounded JSON, `safejson`) only when its hash and the
manifest's are right. Folders are walked without recursion and no deeper than any bag we write.
Zips are streamed through `zip_reader` and nothing is written anywhere.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from app.services.bundle.programme_check import programme_lines, programme_summary
from app.errors import AppError, StorageError, ValidationError
from app.services import safejson
from app.services.bundle import layout as L
from app.services.bundle import minisign
from app.services.bundle.bag_sources import FolderBag, ZipAdapter
from app.services.bundle.safe_names import check_bag_path
from app.services.bundle.zip_reader import OUTSIDE, ZipBag, ZipBudgetExceeded
from app.services.progress import NO_PROGRESS, Progress
from app.services.safezip import is_zip
from app.services.seal import fingerprint_for, group_hex, seal_code_for

# Measured on the demo school with 400 teachers (every one with points, evidence, hours and
# grades): bundle.json 4.1 MB holding 122,000 values, manifest 0.6 MB. A 2,000-teacher school is
# five times that, about 20 MB and 610,000 values; the caps leave two to three times more, and
# parsing within them stays under about 300 MB of memory whatever the shape of the JSON.
CAP_MANIFEST = 32 * 1024 ** 2
CAP_TAG = 8 * 1024 ** 2
CAP_SMALL = 64 * 1024
CAP_BUNDLE_JSON = 48 * 1024 ** 2
BUNDLE_JSON_VALUES = 2_000_000
_FP = re.compile(r"^[0-9A-Fa-f]{32}$")
KEY_HINT = "用 --key 指定区县登记的公钥文件（.pub）、RW 开头的公钥或公钥指纹。"


@dataclass(frozen=True)
class RegisteredKey:
    """The district's record of a school's key: a full public key, or only its fingerprint."""

    fingerprint: str
    public_key: minisign.PublicKey | None = None
    source: str = ""

    @classmethod
    def parse(cls, text: str) -> "RegisteredKey":
        """--key: a minisign .pub file, the `RW…` line, or a fingerprint (32 hex, dashes optional)."""
        arg = text.strip()
        path = Path(arg)
        try:
            is_file = path.is_file()
        except OSError:
            is_file = False
        if is_file:
            if path.stat().st_size > CAP_SMALL:
                raise ValidationError(f"公钥文件“{arg}”过大，不是 minisign 公钥。")
            content = path.read_bytes().decode("utf-8", errors="replace")
            try:
                pk = minisign.parse_public_key(content)
            except minisign.MinisignFormatError as exc:
                raise ValidationError(f"公钥文件“{arg}”：{exc}") from None
            return cls(fingerprint_for(pk.raw), pk, arg)
        compact = re.sub(r"[\s\-:]", "", arg)
        if _FP.match(compact):
            return cls(group_hex(compact.upper()), None, arg)
        if arg.startswith("RW"):
            try:
                pk = minisign.parse_public_key(arg)
            except minisign.MinisignFormatError as exc:
                raise ValidationError(f"登记的公钥：{exc}", cli_hint=KEY_HINT) from None
            return cls(fingerprint_for(pk.raw), pk, "输入的公钥")
        raise ValidationError(f"无法识别登记的公钥“{arg}”：应为登记的公钥文件（.pub）、以 RW 开头的公钥，"
                              "或 32 位十六进制的公钥指纹（如 3F2A-91C0-…）。", cli_hint=KEY_HINT)


@dataclass
class SignatureStatus:
    status: str = "missing"       # good / bad / missing / malformed / wrong-key / unregistered / no-key
    message: str = ""
    key_fingerprint: str = ""     # of the key the signature was checked with
    bundled_fingerprint: str = "" # of school.pub inside the bag
    registered: bool | None = None  # checked against the district's key (None: no key given)
    trusted_comment: str = ""
    cli_hint: str = ""            # what to type on the command line (the window has its own field)

    @property
    def good(self) -> bool:
        return self.status == "good"


@dataclass
class BagReport:
    path: str
    kind: str = "folder"
    ok: bool = False
    unfinished: bool = False
    seal_code: str = ""
    seal_digest: str = ""
    signature: SignatureStatus = field(default_factory=SignatureStatus)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    junk: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    files_checked: int = 0
    bytes_checked: int = 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["valid"] = self.ok
        return d


def verify_paths(paths: list[str | Path], key: RegisteredKey | None = None,
                 progress: Progress = NO_PROGRESS) -> list[BagReport]:
    return [verify_path(p, key, progress) for p in paths]


def verify_path(path: str | Path, key: RegisteredKey | None = None,
                progress: Progress = NO_PROGRESS) -> BagReport:
    """Check one bag folder or zip; never raises for a bad bag (see the report)."""
    p = Path(path)
    report = BagReport(path=str(p))
    report.unfinished = p.name.endswith(L.PARTIAL)
    if report.unfinished:
        report.errors.append("这是未完成的导出（文件夹或文件名以 .partial 结尾）：导出中途被取消、出错或U盘被拔出，"
                             "它不是已封存的报送包。请在学校重新导出。")
    try:
        if p.is_dir() and not (p / L.BAGIT_TXT).exists():
            inner = sorted(c.name for c in p.iterdir() if c.is_dir() and (c / L.BAGIT_TXT).exists())
            if inner:
                report.errors.append("这个文件夹本身不是报送包，它里面有：" + "、".join(inner[:10])
                                     + "。请选择报送包文件夹本身（含 bagit.txt 的那一层）。")
                return report
        if p.is_dir():
            src = FolderBag(p)
        elif p.is_file():
            report.kind = "zip"
            if not is_zip(p):
                report.errors.append("这个文件不是 zip 压缩包，也不是报送包文件夹。")
                return report
            src = ZipAdapter(ZipBag(p))
        else:
            report.errors.append("找不到这个文件夹或文件。")
            return report
    except AppError as exc:
        report.errors.append(exc.user_message)
        report.errors += exc.details
        return report
    try:
        _verify(src, report, key, progress)
    except ZipBudgetExceeded as exc:
        report.errors.append(exc.user_message)
    except StorageError as exc:
        report.errors.append(exc.user_message)
    finally:
        src.close()
    report.ok = (not report.errors and not report.missing and not report.extra and not report.altered
                 and report.signature.good and report.signature.registered is not False)
    return report


def _read(src, rel: str, cap: int, report: BagReport) -> bytes | None:
    try:
        data = src.read_small(rel, cap)
    except (StorageError, ZipBudgetExceeded) as exc:
        report.errors.append(exc.user_message)
        return None
    if data is not None and len(data) > cap:
        report.errors.append(f"“{rel}”过大，不像报送包的标签文件。")
        return None
    return data


def _verify(src, report: BagReport, key: RegisteredKey | None, progress: Progress) -> None:
    report.errors += src.problems
    present = set(src.files)
    if L.BAGIT_TXT not in present:
        report.errors.append("缺少 bagit.txt：这不是 BagIt 报送包（或选错了文件夹，应选择含 bagit.txt 的那一层）。")
    manifest = _read(src, L.MANIFEST, CAP_MANIFEST, report)
    tagmanifest = _read(src, L.TAGMANIFEST, CAP_TAG, report)
    sig = _read(src, L.SIGNATURE, CAP_SMALL, report)
    pub = _read(src, L.PUBKEY, CAP_SMALL, report)
    bag_info_raw = _read(src, L.BAG_INFO, CAP_TAG, report)

    payload: dict[str, str] = {}
    tags: dict[str, str] = {}
    if tagmanifest is None:
        report.missing.append(L.TAGMANIFEST)
        report.errors.append("缺少 tagmanifest-sha256.txt（标签清单）：报送包未封存，签名无从核对。")
    else:                        # the root of trust: its signature is checked on these very bytes
        tags, problems = L.parse_manifest(tagmanifest, L.TAGMANIFEST)
        report.errors += problems
    # never parse a tag file whose hash is already wrong (it is not what was sealed)
    untrusted = {rel for rel, raw in ((L.MANIFEST, manifest), (L.BAG_INFO, bag_info_raw))
                 if raw is not None and rel in tags and hashlib.sha256(raw).hexdigest() != tags[rel]}
    bag_info = L.parse_bag_info(bag_info_raw) if bag_info_raw is not None and L.BAG_INFO not in untrusted else {}
    if manifest is None:
        report.missing.append(L.MANIFEST)
        report.errors.append("缺少 manifest-sha256.txt（文件清单），无法计算封存码。")
    else:
        report.seal_code, report.seal_digest = seal_code_for(manifest)
        if L.MANIFEST in untrusted:
            report.errors.append("manifest-sha256.txt（文件清单）在封存后被改动过，与标签清单不符，"
                                 "未读取它，也就无法逐个核对数据文件。")
        else:
            payload, problems = L.parse_manifest(manifest, L.MANIFEST)
            report.errors += problems
    if sig is None:
        report.missing.append(L.SIGNATURE)

    for rel in list(payload):
        why = check_bag_path(rel)
        if why or not rel.startswith("data/"):
            report.errors.append(f"manifest-sha256.txt 列出了不安全或不在 data/ 下的路径“{rel}”"
                                 f"{'：' + why if why else ''}，不予读取。")
            del payload[rel]
    for rel in list(tags):
        why = check_bag_path(rel)
        if why or rel.startswith("data/") or rel in (L.TAGMANIFEST, L.SIGNATURE):
            report.errors.append(f"tagmanifest-sha256.txt 列出了不应列出的路径“{rel}”"
                                 f"{'：' + why if why else ''}。")
            del tags[rel]
    if tagmanifest is not None:
        for required in (L.BAGIT_TXT, L.BAG_INFO, L.MANIFEST):
            if required not in tags:
                report.errors.append(f"{required} 没有列入 tagmanifest-sha256.txt，签名没有覆盖它。")

    _check_signature(report, key, sig, pub, tagmanifest)

    listed = set(payload) | set(tags)
    allowed = {L.TAGMANIFEST, L.SIGNATURE, L.PUBKEY}
    report.missing += sorted(r for r in listed - present if r not in report.missing)
    for rel in sorted(present - listed - allowed):
        if L.MANIFEST in untrusted and rel.startswith("data/"):
            continue                     # without a trusted manifest "extra" means nothing here
        if rel.startswith(OUTSIDE):
            report.extra.append(rel)
        elif L.is_junk(rel):
            report.junk.append(rel)
        else:
            report.extra.append(rel)
    if report.junk:
        report.warnings.append("发现系统或 Office 自动生成的文件（不在封存范围内，不影响核验）："
                               + "、".join(report.junk[:10]) + ("等" if len(report.junk) > 10 else ""))

    oxum = bag_info.get("Payload-Oxum", "")
    if isinstance(src, ZipAdapter):
        try:
            total = int(oxum.split(".")[0])
        except ValueError:
            total = sum(src.sizes.get(r, 0) for r in payload)
        src.bag.set_budget(2 * total + 256 * 1024 ** 2)

    to_hash = [r for r in sorted(tags) if r in present] + [r for r in sorted(payload) if r in present]
    total_bytes = sum(src.sizes.get(r, 0) for r in to_hash)
    done = 0

    lock = threading.Lock()

    def on_bytes(n: int) -> None:
        nonlocal done
        with lock:
            done += n
            progress.report(done, max(total_bytes, 1), "正在核验文件")

    for rel, got in _hashes(src, to_hash, progress, on_bytes):
        expected = tags.get(rel) if rel in tags else payload[rel]
        report.files_checked += 1
        if got is None:
            report.altered.append(rel)
            report.errors.append(f"“{rel}”无法读取（文件损坏）。")
            continue
        report.bytes_checked += got[1]
        if got[0] != expected:
            report.altered.append(rel)
    progress.report(total_bytes, max(total_bytes, 1), "核验完成", force=True)

    _check_bag_info(report, bag_info, payload, src)
    _check_name(report, bag_info, src)
    _read_bundle_json(report, src, payload, present)


HASH_THREADS = 2        # a folder's files two at a time: one is read while the other is hashed


def _hashes(src, rels: list[str], progress: Progress, on_bytes):
    """(rel, (sha256, size) or None) in order. A folder's files are hashed HASH_THREADS at a time
    (reads and hashlib release the GIL; memory stays at one buffer a thread); a zip is read
    through one stream, in order."""
    if not isinstance(src, FolderBag) or len(rels) < 2:
        for rel in rels:
            yield rel, src.hash(rel, progress, on_bytes)
        return
    pool = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="verify-hash")
    try:
        pending = deque()
        todo = iter(rels)
        for rel in todo:                       # keep a bounded window of files in flight
            pending.append((rel, pool.submit(src.hash, rel, progress, on_bytes)))
            if len(pending) >= 2 * HASH_THREADS:
                done_rel, fut = pending.popleft()
                yield done_rel, fut.result()
        while pending:
            done_rel, fut = pending.popleft()
            yield done_rel, fut.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _check_signature(report: BagReport, key: RegisteredKey | None, sig: bytes | None,
                     pub: bytes | None, tagmanifest: bytes | None) -> None:
    st = report.signature
    bundled = None
    if pub is not None:
        try:
            bundled = minisign.parse_public_key(pub.decode("utf-8", errors="replace"))
            st.bundled_fingerprint = fingerprint_for(bundled.raw)
        except minisign.MinisignFormatError as exc:
            report.errors.append(f"school.pub：{exc}")
    if tagmanifest is None or sig is None:
        st.status = "missing"
        st.message = ("缺少签名文件 tagmanifest-sha256.txt.minisig：报送包未封存。" if sig is None
                      else "缺少 tagmanifest-sha256.txt，签名无从核对：报送包未封存。")
        report.errors.append(st.message)
        return
    use = None
    if key is not None and key.public_key is not None:
        use = key.public_key
        st.registered = True
    elif key is not None:
        if bundled is None:
            st.status, st.registered = "no-key", False
            st.message = "报送包中缺少 school.pub，只给出了登记的指纹，无法核对签名。请提供区县登记的公钥文件。"
            st.cli_hint = KEY_HINT
            report.errors.append(st.message)
            return
        if st.bundled_fingerprint != key.fingerprint:
            st.status, st.registered = "unregistered", False
            st.key_fingerprint = st.bundled_fingerprint
            st.message = (f"报送包所带公钥的指纹 {st.bundled_fingerprint} 与登记的指纹 {key.fingerprint} 不一致："
                          "不是该校登记的密钥签的。")
            report.errors.append(st.message)
            return
        use = bundled
        st.registered = True
    else:
        if bundled is None:
            st.status = "no-key"
            st.message = "报送包中缺少 school.pub，且没有提供区县登记的公钥，无法核对签名。"
            st.cli_hint = KEY_HINT
            report.errors.append(st.message)
            return
        use = bundled
        st.registered = None
    st.key_fingerprint = fingerprint_for(use.raw)
    check = minisign.verify_signature(sig, None, use, message=tagmanifest)
    st.trusted_comment = check.trusted_comment
    if check.ok:
        st.status = "good"
        st.message = "签名有效。"
        if st.registered is None:
            st.message = (f"签名有效，但使用的是报送包自带的公钥（指纹 {st.key_fingerprint}），尚未与区县登记的公钥核对。"
                          "请提供区县登记的公钥，或把指纹与登记表逐组比对。")
            st.cli_hint = KEY_HINT
            report.warnings.append(st.message)
        elif bundled is not None and bundled.raw != use.raw:
            report.warnings.append(f"school.pub（指纹 {st.bundled_fingerprint}）不是登记的公钥；签名本身由登记的密钥生成。")
        fields = L.parse_trusted_comment(check.trusted_comment)
        if report.seal_code and fields.get("seal") and fields["seal"] != report.seal_code:
            report.errors.append(f"签名中记录的封存码 {fields['seal']} 与文件清单算出的封存码 {report.seal_code} 不一致。")
        return
    st.status = {"wrong-key": "wrong-key", "malformed": "malformed"}.get(check.code, "bad")
    if check.code == "wrong-key" and st.registered:
        st.message = f"签名文件 {L.SIGNATURE} 不是由登记的密钥生成的：{check.reason}"
        st.registered = False
    else:
        st.message = f"签名文件 {L.SIGNATURE} 核对失败：{check.reason}"
    report.errors.append(st.message)


def _check_bag_info(report: BagReport, info: dict[str, str], payload: dict[str, str], src) -> None:
    if not info:
        return
    report.info.update({
        "school": info.get("Source-Organization", ""),
        "school_code": info.get("External-Identifier", ""),
        "programme": info.get("Tisheng-Program", ""),
        "programme_hash": info.get("Tisheng-Program-Hash", ""),
        "bagging_date": info.get("Bagging-Date", ""),
        "payload_oxum": info.get("Payload-Oxum", ""),
        "bag_name": info.get("Tisheng-Bag-Name", ""),
        "allow_incomplete": info.get("Tisheng-Allow-Incomplete", "") == "yes",
        "personal_data": info.get("Tisheng-Personal-Data", ""),
        "parts": info.get("Tisheng-Parts", ""),
        "parts_missing": info.get("Tisheng-Parts-Missing", ""),
    })
    oxum = info.get("Payload-Oxum", "")
    if oxum and not report.missing and payload:
        actual = f"{sum(src.sizes.get(r, 0) for r in payload)}.{len(payload)}"
        if oxum != actual:
            report.errors.append(f"bag-info.txt 中的 Payload-Oxum（{oxum}）与文件清单不符（{actual}）。")
    sealed = info.get("Tisheng-Seal-Code")
    if sealed and report.seal_code and sealed != report.seal_code:
        report.errors.append(f"bag-info.txt 中的封存码 {sealed} 与文件清单算出的 {report.seal_code} 不一致。")
    fp = info.get("Tisheng-Key-Fingerprint")
    if fp and report.signature.key_fingerprint and fp != report.signature.key_fingerprint:
        report.errors.append(f"bag-info.txt 中的密钥指纹 {fp} 与签名所用密钥 {report.signature.key_fingerprint} 不一致。")


# What Windows, browsers and WeChat append to a copy: "X - 副本", "X (2)", "X（1）".
_COPY_SUFFIX = re.compile(r"(?:\s*-\s*(?:副本|复制|copy)(?:\s*\(\d+\))?|\s*\(\d+\)|\s*（\d+）)+$", re.IGNORECASE)


def _check_name(report: BagReport, info: dict[str, str], src) -> None:
    """The folder or zip must carry the name it was sealed under: a renamed bag (last term's
    bundle handed in under a newer name) is an error; a copy suffix only a warning."""
    fields = L.parse_trusted_comment(report.signature.trusted_comment) if report.signature.good else {}
    signed, listed = fields.get("bag", ""), info.get("Tisheng-Bag-Name", "")
    sealed = signed or listed
    if not sealed:
        return
    report.info["sealed_name"] = sealed
    stamp = fields.get("timestamp", "")
    if stamp.isdigit():
        report.info["sealed_at"] = datetime.fromtimestamp(int(stamp)).strftime("%Y-%m-%d %H:%M:%S")
    elif info.get("Bagging-Date"):
        report.info["sealed_at"] = info["Bagging-Date"]
    when = f"（封存于 {report.info['sealed_at']}）" if report.info.get("sealed_at") else ""
    if signed and listed and signed != listed:
        report.errors.append(f"bag-info.txt 中的报送包名称“{listed}”与签名中记录的“{signed}”不一致。")
    for label, name in getattr(src, "names", []):
        name = name.removesuffix(L.PARTIAL)
        if name == sealed:
            continue
        if _COPY_SUFFIX.sub("", name) == sealed:
            report.warnings.append(f"{label}“{name}”比封存时的名称“{sealed}”多了复制产生的后缀，内容不受影响。")
            continue
        report.errors.append(f"{label}“{name}”与封存时的名称“{sealed}”{when}不一致：报送包在封存后被改过名，"
                             "可能是旧的报送包改名后重新报送。请以封存名称和封存时间为准核对，"
                             "必要时请学校重新导出。")


def _read_bundle_json(report: BagReport, src, payload: dict[str, str], present: set[str]) -> None:
    rel = "data/bundle.json"
    if rel not in payload or rel not in present:
        if payload:
            report.warnings.append("报送包中没有 data/bundle.json，无法显示学校记录摘要。")
        return
    if rel in report.altered or L.MANIFEST in report.altered or L.MANIFEST in report.missing:
        # never parse a file whose hash is wrong: it is not what the school sealed
        report.warnings.append("data/bundle.json 与封存时不一致，未读取其内容（不显示学校记录摘要）。")
        return
    if src.sizes.get(rel, 0) > CAP_BUNDLE_JSON:
        report.errors.append(f"data/bundle.json 有 {src.sizes[rel] / 1024 ** 2:.0f} MB，超过上限 "
                             f"{CAP_BUNDLE_JSON // 1024 ** 2} MB，不是本软件写出的记录文件，未读取其内容。")
        return
    try:
        raw = src.read_small(rel, CAP_BUNDLE_JSON)
        doc = safejson.loads(raw, what="data/bundle.json", max_bytes=CAP_BUNDLE_JSON,
                             max_values=BUNDLE_JSON_VALUES)
    except safejson.JsonRefused as exc:
        report.errors.append(exc.user_message)
        return
    except (AppError, ValueError, AttributeError):
        report.warnings.append("data/bundle.json 无法解析为 JSON，无法显示学校记录摘要。")
        return
    if not isinstance(doc, dict) or doc.get("format") != "tisheng-bundle":
        report.warnings.append("data/bundle.json 不是本软件的记录格式。")
        return
    school = doc.get("school") or {}
    prog = doc.get("programme") or {}
    comp = doc.get("compliance") or {}
    teachers = doc.get("teachers") or []
    report.info.update({
        "school": school.get("name") or report.info.get("school", ""),
        "school_code": school.get("code") or report.info.get("school_code", ""),
        "programme": prog.get("name") or report.info.get("programme", ""),
        "teacher_count": len(teachers) if isinstance(teachers, list) else None,
        "allow_incomplete": bool(doc.get("allow_incomplete")) or report.info.get("allow_incomplete", False),
        "personal_data_masked": (doc.get("personal_data") or {}).get("masked"),
        "compliance": ({"checked": bool(comp.get("checked", True)), "ok": comp.get("ok"),
                        "blocking": comp.get("blocking"), "warnings": comp.get("warnings"),
                        "summary": comp.get("summary")} if comp else None),
        "format_version": doc.get("format_version"),
        "exported_at": doc.get("exported_at"),
        "programme_check": programme_summary(prog, report.info.get("programme_hash") or None),
    })
    if report.info["programme_check"].get("hash_matches_seal") is False:
        report.errors.append("bundle.json 中的项目方案与 bag-info.txt 记录的方案哈希不一致。")
    refs = {f.get("path") for f in doc.get("files") or [] if isinstance(f, dict)}
    unreferenced = sorted(set(payload) - refs - {rel})
    dangling = sorted(r for r in refs - set(payload) if r)
    if unreferenced or dangling:
        report.warnings.append(
            f"bundle.json 的文件列表与清单不完全对应（未引用 {len(unreferenced)} 个，多引用 {len(dangling)} 个）。")


STATUS_WORDS = {"missing": "未核对（缺少签名或无法读取报送包）", "good": "有效", "bad": "无效",
                "malformed": "签名文件格式错误", "wrong-key": "不是登记的密钥签的", "unregistered": "不是登记的密钥",
                "no-key": "缺少公钥，无法核对"}


def format_report(r: BagReport) -> str:
    """The Chinese text `tisheng verify` prints for one bag."""
    lines = [f"报送包：{r.path}"]
    lines.append("结论：" + ("✔ 完整、未被改动、签名有效" if r.ok else "✘ 未通过核验"))
    if r.info.get("sealed_name"):
        lines.append(f"封存名称：{r.info['sealed_name']}"
                     + (f"（封存于 {r.info['sealed_at']}）" if r.info.get("sealed_at") else ""))
    if r.seal_code:
        lines.append(f"封存码：{r.seal_code}")
    st = r.signature
    if st.key_fingerprint or st.bundled_fingerprint:
        lines.append(f"密钥指纹：{st.key_fingerprint or st.bundled_fingerprint}"
                     + {True: "（与登记的公钥一致）", False: "（不是登记的公钥）",
                        None: "（未登记核对）"}[st.registered])
    lines.append(f"签名：{st.message or STATUS_WORDS.get(st.status, st.status)}")
    if st.cli_hint:
        lines.append(f"提示：{st.cli_hint}")
    i = r.info
    if i.get("school") or i.get("school_code"):
        lines.append(f"学校：{i.get('school', '')}（代码 {i.get('school_code', '')}）")
    if i.get("programme"):
        lines.append(f"项目方案：{i['programme']}")
    if i.get("programme_check"):
        lines += programme_lines(i["programme_check"])
    if i.get("teacher_count") is not None:
        lines.append(f"教师人数：{i['teacher_count']}")
    comp = i.get("compliance")
    if comp:
        s = comp.get("summary") or {}
        if not comp.get("checked", True):
            lines.append("达标情况：导出时未做达标检查")
        else:
            lines.append(f"达标情况：必须处理 {comp.get('blocking', 0)} 项，提醒 {comp.get('warnings', 0)} 项"
                         + (f"；全部达标教师 {s.get('meeting_all')}/{s.get('active')} 人"
                            if s.get("active") is not None else ""))
    if i.get("allow_incomplete"):
        lines.append("注意：本报送包在尚有必须处理的问题时经确认导出（不完整报送）。")
    for title, items in (("缺少的文件", r.missing), ("多出的文件", r.extra), ("被改动的文件", r.altered)):
        if items:
            lines.append(f"{title}（{len(items)}）：")
            lines += [f"  · {p}" for p in items[:200]]
            if len(items) > 200:
                lines.append(f"  · ……另有 {len(items) - 200} 个")
    shown = set()
    for e in r.errors:
        if e not in shown and e != st.message:
            lines.append(f"问题：{e}")
            shown.add(e)
    for w in r.warnings:
        if w != st.message:
            lines.append(f"提醒：{w}")
    return "\n".join(lines)
