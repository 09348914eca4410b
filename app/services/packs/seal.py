"""完成采集: the pack's changes written as a BagIt return bag, every file hashed, sealed with an HMAC.

The bag is written by the same `DirSink` as the sealed bundle: under `回收包-NNN.partial`, every file
fsynced and read back from the device, the HMAC file last, then renamed. A pulled stick or a kill
leaves a `.partial` (swept when the pack next opens) and the pack's own changes untouched; 完成采集
simply runs again. Each return holds every change since the pack was made, so a later return
supersedes an earlier one and the school applies each change once (by its id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app import __version__
from app.errors import StorageError
from app.services import faults
from app.services.bundle import layout as BL
from app.services.bundle.bag_writer import DirSink, ReadbackError, hash_from_device
from app.services.fileio import remove_tree
from app.services.packs import layout as L
from app.services.packs.changes import SEALED, undone_targets
from app.services.packs.collect import sealed_marker
from app.services.packs.folder import PackFolder
from app.services.packs.jsonio import dumps
from app.services.packs.mac import mac_file_bytes, return_mac
from app.services.progress import NO_PROGRESS, Progress

RETURN_VERSION = 1


@dataclass(frozen=True)
class SealResult:
    path: Path
    return_seq: int
    changes: int
    files: int
    bytes: int
    warnings: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"path": str(self.path), "return_seq": self.return_seq, "changes": self.changes, "files": self.files,
                "bytes": self.bytes, "warnings": list(self.warnings)}


def next_return_seq(pack: PackFolder, changes) -> int:
    sealed = [c.data["return_seq"] for c in changes if c.kind == SEALED]
    bags = [seq for seq, _p in L.return_bags(pack.root)]
    return max(sealed + bags + [0]) + 1


def seal(pack: PackFolder, *, by: str = "", progress: Progress = NO_PROGRESS) -> SealResult:
    changes = pack.read_changes()
    warnings = tuple(f"更改记录“{p.name}”已损坏（{p.problem}），未包含在回收包中。" for p in pack.problems)
    merged = [c for c in changes if c.kind != SEALED]
    gone = undone_targets(merged)
    live = [c for c in merged if c.id not in gone]
    missing = pack.missing_files(live)
    if missing:
        doc = pack.document
        lines = [f"{(doc.teacher(c.teacher).name if c.teacher and doc.teacher(c.teacher) else '培训活动')}："
                 f"“{name}”" for c, name in missing]
        raise StorageError("以下文件在U盘上缺失或已损坏，未完成采集。请在窗口中删除这些记录后重新添加文件：",
                           details=lines[:30])
    files: dict[str, int] = {}
    for c in live:
        for f in c.files:
            files[f.sha256] = f.size
    seq = next_return_seq(pack, changes)
    name = L.return_name(seq)
    now = datetime.now().replace(microsecond=0)
    doc = pack.document
    body = {"format": L.RETURN_FORMAT, "format_version": RETURN_VERSION, "pack_id": doc.pack_id,
            "school_code": doc.school_code, "return_seq": seq, "sealed_at": now.isoformat(), "sealed_by": by,
            "events": [c.to_json() for c in merged]}
    total = sum(files.values()) * 2 + 1
    done = [0]

    def on_bytes(n: int) -> None:
        done[0] += n
        progress.report(min(done[0], total), total, "正在写入回收包")

    sink = DirSink(pack.root, name, progress)
    try:
        for sha, size in sorted(files.items()):
            sink.put_file(L.file_rel(sha), pack.file_path(sha), sha, size, on_bytes)
            faults.hit("pack.seal.file")
        sink.put_bytes(L.RETURN_JSON, dumps(body))
        payload = {rel: sha for rel, sha in sink.written.items() if rel.startswith("data/")}
        sink.prune(set(payload))
        sink.put_bytes(BL.MANIFEST, BL.manifest_bytes(payload))
        sink.put_bytes(BL.BAGIT_TXT, BL.BAGIT_TXT_BYTES)
        oxum = f"{sum(files.values()) + len(dumps(body))}.{len(payload)}"
        info = [("Source-Organization", doc.school_name), ("Bagging-Date", now.date().isoformat()),
                ("Payload-Oxum", oxum), ("External-Description", f"采集包回收：{doc.scope_kind} {doc.scope_name}"),
                ("Tisheng-Pack-Id", doc.pack_id), ("Tisheng-School-Code", doc.school_code),
                ("Tisheng-Return-Seq", seq), ("Tisheng-Sealed-At", now.isoformat()), ("Tisheng-Sealed-By", by),
                ("Tisheng-Changes", len(merged)), ("Tisheng-Damaged-Changes", len(pack.problems)),
                ("Bag-Software-Agent", f"Tisheng {__version__}")]
        sink.put_bytes(BL.BAG_INFO, BL.bag_info_bytes(info))
        faults.hit("pack.seal.tagfiles")
        tags = {rel: sha for rel, sha in sink.written.items() if not rel.startswith("data/")}
        tagmanifest = BL.manifest_bytes(tags)
        sink.put_bytes(BL.TAGMANIFEST, tagmanifest)
        try:
            sink.read_back(dict(sink.written), on_bytes)
            faults.hit("pack.seal.readback")
            mac = mac_file_bytes(return_mac(pack.secret, doc.pack_id, seq, tagmanifest))
            sink.put_bytes(L.HMAC_FILE, mac)
            if hash_from_device(sink.root / L.HMAC_FILE)[0] != sink.written[L.HMAC_FILE]:
                raise ReadbackError("写入后回读校验失败。")
        except ReadbackError as exc:
            raise StorageError("写入后回读校验失败：U盘上的回收包与写入的内容不一致。U盘可能已损坏或被拔出。"
                               "未完成采集（已保存的内容没有丢失），请重新点击“完成采集”，或换一个U盘。",
                               details=exc.details) from None
        faults.hit("pack.seal.hmac")
        final = sink.finish()
        faults.hit("pack.seal.renamed")
    except BaseException:
        sink.abort()
        raise
    sealed_marker(pack, seq, by)
    for old_seq, old in L.return_bags(pack.root):
        if old_seq < seq:
            remove_tree(old)                   # superseded: the new return holds every change
    return SealResult(final, seq, len(merged), len(files), sum(files.values()), warnings)

