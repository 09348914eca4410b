"""Corpus classes from the outside adversarial run (issue 19): zip name differentials, deep
nesting, JSON depth and size, xlsx part bombs, locked / read-only / full environments, control
characters, phone shapes, library warnings and --json on failure.

`add_cases(out, add, cases, bag=…, bag_zip=…, valid=…, full_zip=…)` writes the files and
registers the cases through make_corpus's `add()`; bundle cases need a sealed bag folder and zip.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

UNSAFE = "不安全的条目"
RAW = ["\x1b", "\u202e", "\u009b"]              # never printed raw


def unicode_path(name: str, for_bytes: bytes) -> bytes:
    body = b"\x01" + struct.pack("<L", zlib.crc32(for_bytes) & 0xFFFFFFFF) + name.encode("utf-8")
    return struct.pack("<2H", 0x7075, len(body)) + body


class RawNameInfo(zipfile.ZipInfo):
    def __init__(self, raw: bytes, **kw) -> None:
        super().__init__(raw.decode("cp437"), **kw)
        self.raw = raw

    def _encodeFilenameFlags(self):
        return self.raw, self.flag_bits & ~0x800


def zip_bag(bag: Path, dest: Path, *, extra_for=None, more=(), gbk: bool = True) -> Path:
    """The bag zipped as Chinese Windows does (GBK names, no UTF-8 flag), with optional extra
    fields per entry and additional entries."""
    with zipfile.ZipFile(dest, "w") as zf:
        for name, data in more:
            zf.writestr(name, data)
        for p in sorted(bag.rglob("*")):
            if p.is_file():
                rel = p.relative_to(bag).as_posix()
                raw = f"{bag.name}/{rel}".encode("gb18030" if gbk else "utf-8")
                info = RawNameInfo(raw, date_time=(2026, 11, 23, 10, 0, 0)) if gbk else \
                    zipfile.ZipInfo(raw.decode(), date_time=(2026, 11, 23, 10, 0, 0))
                if extra_for is not None:
                    info.extra = extra_for(rel, raw)
                zf.writestr(info, p.read_bytes())
    return dest


def _patch_local_name(data: bytes, old: bytes, new: bytes) -> bytes:
    b = bytearray(data)
    at = b.find(b"PK\x03\x04")
    while at != -1:
        n = struct.unpack_from("<H", b, at + 26)[0]
        if b[at + 30:at + 30 + n] == old:
            b[at + 30:at + 30 + n] = new
            return bytes(b)
        at = b.find(b"PK\x03\x04", at + 4)
    raise AssertionError(old)


def _overlap(data: bytes) -> bytes:
    """The first entry's data runs over the second entry's header (data-descriptor flag set on both
    headers so the sizes are not compared)."""
    b = bytearray(data)
    eocd = b.rfind(b"PK\x05\x06")
    cd = struct.unpack_from("<L", b, eocd + 16)[0]
    struct.pack_into("<H", b, 6, struct.unpack_from("<H", b, 6)[0] | 0x08)
    struct.pack_into("<H", b, cd + 8, struct.unpack_from("<H", b, cd + 8)[0] | 0x08)
    size = struct.unpack_from("<L", b, cd + 20)[0]
    struct.pack_into("<L", b, cd + 20, size + 200)
    struct.pack_into("<L", b, cd + 24, size + 200)
    return bytes(b)


def _rehash(bag: Path, rel: str) -> None:
    from app.services.bundle import layout as L
    payload, _ = L.parse_manifest((bag / L.MANIFEST).read_bytes(), L.MANIFEST)
    payload[rel] = hashlib.sha256((bag / rel).read_bytes()).hexdigest()
    (bag / L.MANIFEST).write_bytes(L.manifest_bytes(payload))
    tags, _ = L.parse_manifest((bag / L.TAGMANIFEST).read_bytes(), L.TAGMANIFEST)
    tags[L.MANIFEST] = hashlib.sha256((bag / L.MANIFEST).read_bytes()).hexdigest()
    (bag / L.TAGMANIFEST).write_bytes(L.manifest_bytes(tags))


def _evidence(bag: Path) -> tuple[str, str]:
    files = sorted(p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*")
                   if p.is_file() and p.name != "bundle.json")
    return files[0], files[1]


def bundle_cases(out: Path, add, cases, bag: Path, bag_zip: Path) -> None:
    from tests.corpus.make_corpus import Case
    folder = out / "verify"
    folder.mkdir(parents=True, exist_ok=True)

    def folder_case(name: str, expect: str, words=(), **kw) -> Path:
        dst = folder / name / bag.name
        shutil.copytree(bag, dst)
        cases.append(Case(name, str(dst.relative_to(out)), "verify", expect, list(words), **kw))
        return dst

    def zip_case(name: str, path: Path, expect: str, words=(), **kw) -> None:
        cases.append(Case(name, str(path.relative_to(out)), "verify", expect, list(words), **kw))

    # a pristine bag and zip verify, and verifying writes nothing into a data folder (item 12)
    folder_case("verify-pristine", "accept")
    shutil.copyfile(bag_zip, folder / bag_zip.name)
    zip_case("verify-pristine-zip", folder / bag_zip.name, "accept")
    # zip name differentials (item 1)
    a, b = _evidence(bag)
    top = bag.name

    def named(sub: str) -> Path:
        (folder / sub).mkdir(exist_ok=True)
        return folder / sub / f"{top}.zip"
    swap = {a: b, b: a}
    zip_case("zip-unicode-swap", zip_bag(bag, named("swap"), extra_for=lambda r, raw: unicode_path(
        f"{top}/{swap[r]}", raw) if r in swap else b""), "reject", ["Unicode Path", "不一致", UNSAFE])
    zip_case("zip-unicode-stale-crc", zip_bag(bag, named("crc"), extra_for=lambda r, raw: unicode_path(
        f"{top}/{r}", raw + b"!") if r == a else b""), "reject", ["校验值与文件名不符"])
    z = zip_bag(bag, named("local"))
    raw_a = f"{top}/{a}".encode("gb18030")
    z.write_bytes(_patch_local_name(z.read_bytes(), raw_a, raw_a[:-6] + b"X" + raw_a[-5:]))
    zip_case("zip-local-name", z, "reject", ["本地文件头"])
    zip_case("zip-dup-trailing-dot", zip_bag(bag, named("dot"), more=[(f"{top}/{a}.", b"other")]),
             "reject", ["同一个文件"])
    zip_case("zip-dup-encodings", zip_bag(bag, named("enc"), gbk=False,
                                          more=[(RawNameInfo(f"{top}/{a}".encode("gb18030")), b"other")]),
             "reject", ["同一个文件"])
    z = zip_bag(bag, named("overlap"))
    z.write_bytes(_overlap(z.read_bytes()))
    zip_case("zip-overlap", z, "reject", ["重叠"])
    # a replayed bag: sealed under one name, handed in under a newer one (item 2)
    code = top.split("_", 1)[0]
    renamed = folder / "renamed" / f"{code}_29991231-235959"
    shutil.copytree(bag, renamed)
    cases.append(Case("bag-renamed", str(renamed.relative_to(out)), "verify", "reject", ["改过名", top]))
    (folder / "renamed-zip").mkdir()
    shutil.copyfile(bag_zip, folder / "renamed-zip" / f"{code}_29991231-235959.zip")
    zip_case("zip-renamed", folder / "renamed-zip" / f"{code}_29991231-235959.zip", "reject", ["改过名"])
    # deep nesting and JSON depth / size (item 4)
    folder_case("bag-deep-folders", "reject", ["层级超过"], nest=1100)
    d = folder_case("bag-json-deep", "reject", ["嵌套超过"])
    (d / "data" / "bundle.json").write_bytes(b"[" * 200_000 + b"]" * 200_000)
    _rehash(d, "data/bundle.json")
    d = folder_case("bag-json-huge-wrong-hash", "reject", ["未读取其内容"])
    (d / "data" / "bundle.json").write_bytes(b"[" + b"{}," * 20_000_000 + b"{}]")
    d = folder_case("bag-json-huge", "reject", ["超过上限"])
    (d / "data" / "bundle.json").write_bytes(b"[" + b"{}," * 20_000_000 + b"{}]")
    _rehash(d, "data/bundle.json")
    # control characters inside a bundle reach the report escaped (item 3)
    d = folder_case("bag-escapes-in-json", "reject", ["\\u001b"], lacks=RAW)
    doc = json.loads((d / "data" / "bundle.json").read_text(encoding="utf-8"))
    doc["school"]["name"] = "\x1b[2J\x1b[H伪造的学校\u202e"
    (d / "data" / "bundle.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    _rehash(d, "data/bundle.json")
    d = folder_case("bag-escapes-in-names", "reject", ["多出的文件", "\\u202e"], lacks=RAW)
    (d / "data" / "说明\u202etxt.exe").write_bytes(b"x")
    (d / "data" / "\x1b[31m红色.txt").write_bytes(b"x")


def environment_cases(out: Path, add, valid_id) -> None:
    """The command line in ordinary trouble (items 6–9) and with hostile text (items 3, 14, 16)."""
    add("env-locked-write", None, "command", "reject", ["正被其他程序占用"], setup="locked",
        argv=["teacher", "add", "--name", "新来的", "--id-number", valid_id(90)], lacks=["已损坏", "restore"])
    add("env-locked-start-up", None, "command", "reject", ["正被其他程序占用"], setup="locked-exclusive",
        argv=["teacher", "list"], lacks=["已损坏", "restore"])
    add("env-read-only", None, "command", "reject", ["只读"], setup="readonly",
        argv=["teacher", "add", "--name", "新来的", "--id-number", valid_id(90)], lacks=["已损坏", "restore"])
    add("env-full-demo", None, "command", "reject", ["磁盘已满"], setup="empty-data",
        env={"TISHENG_FAULT": "db.full"}, argv=["demo"], lacks=["已损坏", "restore", "Traceback"])
    add("env-data-dir-is-file", None, "command", "reject", ["是一个文件"],
        argv=["teacher", "list", "--data-dir", "{datafile}"])
    add("ctl-teacher-name", None, "command", "reject", ["控制字符", "U+001B", "姓名"], lacks=RAW,
        argv=["teacher", "add", "--name", "\x1b[H\x1b[J钱七", "--id-number", valid_id(91)])
    add("ctl-school-name", None, "command", "reject", ["控制字符", "U+202E", "学校名称"], lacks=RAW,
        argv=["school", "set", "--name", "学\u202e校"])
    add("hours-round-to-zero-cli", None, "command", "reject", ["太小"],
        argv=["hours", "add", "T000", "--category", "网络研修", "--hours", "0.001"])
    add("json-usage-error", None, "command", "reject", ['"ok": false', '"exit": 2', "无效的选项"],
        argv=["teacher", "lst", "--json"])


def text_file_cases(add, roster_rows, hours_header, valid_id, text_roster) -> None:
    """Rosters and hours sheets carrying control characters, invisible characters, phone shapes."""
    rows = roster_rows(4)
    for i, bad in enumerate(["\x1b[2J", "\u200b", "\u202e", "\u009b"]):
        rows[i + 1][0] = f"控{bad}制"
    add("ctl-roster-names", text_roster(rows, "utf-8-sig"), "roster", "reject", ["控制字符", "U+001B", "U+200B",
                                                                                "U+202E", "U+009B"],
        ext=".csv", lacks=RAW)
    rows = roster_rows(2)
    rows[1][2] = rows[1][2][:5] + "\u200b" + rows[1][2][5:] + "\ufeff"
    add("id-zero-width", text_roster(rows, "utf-8-sig"), "roster", "accept", ext=".csv",
        names=[r[0] for r in roster_rows(2)[1:]])
    rows = roster_rows(5)
    shapes = ["0411-86667777-8001", "+86 138 1234 5678", "（010）6666 7777", "０４１１－８６６６７７７７",
              "0086 139 8765 4321"]
    for i, shape in enumerate(shapes):
        rows[i + 1][3] = shape
    add("phone-shapes", text_roster(rows, "utf-8-sig"), "roster", "accept", ext=".csv",
        names=[r[0] for r in rows[1:]], check_argv=["teacher", "list", "--json"],
        check_has=["0411-****7777-****", "138****5678", "010****7777"],
        check_lacks=["86667777", "8001", "12345678", "66667777", "87654321"])
    text = "\n".join(",".join(r) for r in [hours_header, ["教师一", valid_id(0), "网络研修", "0.001", "2026-10-09", ""],
                                          ["教师一", valid_id(0), "网络研修", "", "2026-10-10", ""]])
    add("hours-round-to-zero", text.encode("utf-8-sig"), "hours", "reject", ["太小", "学时为空"], ext=".csv")
    text = "\n".join(",".join(r) for r in [hours_header, ["教师一", valid_id(0), "网络研修", "2", "2026-10-09",
                                                          "专\x1b[2J题"]])
    add("ctl-hours-topic", text.encode("utf-8-sig"), "hours", "reject", ["控制字符", "专题"], ext=".csv", lacks=RAW)


def workbook_cases(add, valid: bytes, part_bomb, rewrite_members) -> None:
    """xlsx part bombs (item 5), a name differential inside a workbook (item 1), a workbook
    without a default style (item 15) and --json on a refused workbook (item 17)."""
    add("xlsx-styles-bomb", part_bomb(valid, "xl/styles.xml", 60), "roster", "reject", ["样式表异常庞大"])
    add("xlsx-shared-strings-bomb", part_bomb(valid, "xl/sharedStrings.xml", 70), "roster", "reject",
        ["共享文字表异常庞大"])
    add("xlsx-shared-strings-renamed", part_bomb(valid, "xl/sharedStrings.xml", 70, rename="xl/bulk/s.xml"),
        "roster", "reject", ["异常庞大"])
    add("xlsx-workbook-bomb", part_bomb(valid, "xl/workbook.xml", 6), "roster", "reject", ["工作簿目录异常庞大"])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(valid)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                info.extra = unicode_path("xl/styles.xml", info.filename.encode())
            zout.writestr(info, data)
    add("xlsx-unicode-path", out.getvalue(), "roster", "reject", [UNSAFE])
    add("xlsx-no-default-style", rewrite_members(valid, lambda n, d: (n, re.sub(rb"<cellStyles.*?</cellStyles>", b"", d)
                                                                     if n == "xl/styles.xml" else d)),
        "roster", "accept", lacks=["Warning", "openpyxl"])
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["姓名", "性别", "身份证号"])
    wb.active.append(["公式", "男", '=CONCATENATE("1101","05")'])
    buf = io.BytesIO()
    wb.save(buf)
    add("json-formulas-no-cache", buf.getvalue(), "command", "reject", ['"ok": false', "未计算的公式"],
        argv=["import", "roster", "{file}", "--json"])


def restore_cases(add, full_zip: bytes, old_full_zip: bytes) -> None:
    """Backups read through the same reader: a Unicode Path swap (a full backup as written now), and
    JSON limits on the manifest of the first format (manifest.json), which is still read."""
    with zipfile.ZipFile(io.BytesIO(full_zip)) as z:
        names = [i.filename for i in z.infolist() if not i.is_dir()]
    manifest = next(n for n in names if n.endswith("/manifest-sha256.txt"))
    db = next(n for n in names if n.endswith("/tisheng.sqlite3"))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(full_zip)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == db:
                info.extra = unicode_path(manifest, db.encode())
            zout.writestr(info, data)
    add("restore-unicode-path", out.getvalue(), "restore", "reject", [UNSAFE, "Unicode Path"], ext=".zip")
    with zipfile.ZipFile(io.BytesIO(old_full_zip)) as z:
        old_manifest = next(i.filename for i in z.infolist() if i.filename.endswith("/manifest.json"))
    for label, body in (("deep", b"[" * 200_000 + b"]" * 200_000),
                        ("many-values", b"[" + b"0," * 6_000_000 + b"0]")):
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(old_full_zip)) as zin, \
                zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info, body if info.filename == old_manifest else zin.read(info))
        add(f"restore-manifest-{label}", out.getvalue(), "restore", "reject",
            ["嵌套超过" if label == "deep" else "数据项"], ext=".zip")
