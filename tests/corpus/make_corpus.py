"""Generate the bad-input corpus (issue 8, part 6; reference §9): hostile and broken files, each
with the command that reads it and the Chinese message expected.

Nothing large is committed: every file is made here, by hand-written recipes and by mutating
valid files (truncation, flipped bytes, swapped or missing zip members). Run

    python tests/corpus/make_corpus.py OUT_DIR

to write the files and OUT_DIR/corpus.json; tests/corpus/test_corpus.py calls build() itself.

A case's `target` says what reads the file: roster | hours | evidence | database | restore, verify
(a bag folder or zip, exit 1 when refused) or command (any `argv`, for environments and typed text).
A case's `expect` is one of
  reject  – exit code 2, a message on stderr containing every string in `words`, nothing changed;
  accept  – exit code 0 (hostile evidence names are stored safely under the store);
  either  – mutations that may or may not still be valid: exit 0, or exit 2 with a message
            naming the file; never a crash (exit 3), a hang or a memory blow-up.
"""

from __future__ import annotations

import io
import json
import os
import random
import sqlite3
import sys
import unicodedata
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.models.migrations import LATEST

ROSTER_HEADER = ["姓名", "性别", "身份证号", "联系电话", "任教学科", "学段", "编制类型", "职称", "工号", "教学点", "状态"]
HOURS_HEADER = ["姓名", "身份证号", "学时类别", "学时", "日期", "专题"]
NOT_XLSX = "不是有效的 Excel 2007+ 文件"
BROKEN = "已损坏或不完整"


@dataclass
class Case:
    name: str                       # unique id
    file: str                       # relative to the corpus folder
    target: str                     # roster | hours | evidence | database | restore | pack
    expect: str                     # reject | accept | either
    words: list[str] = field(default_factory=list)
    note: str = ""
    stored_name: str | None = None  # evidence: the original name the record must keep
    argv_file: str | None = None    # evidence: the path as typed (relative to `cwd`)
    cwd: str | None = None
    command: str = ""               # database: "fsck" (default) or "import" (a valid roster into it)
    before: list[str] = field(default_factory=list)   # evidence: files added to the same record first
    names: list[str] = field(default_factory=list)    # roster accepted: teachers that must exist after
    argv: list[str] = field(default_factory=list)     # command: the arguments ({file}, {datafile})
    env: dict = field(default_factory=dict)           # set in the child before the command runs
    setup: str = ""                                   # locked | locked-exclusive | readonly | empty-data
    nest: int = 0                                     # verify: folders nested under data/ at run time
    lacks: list[str] = field(default_factory=list)    # must not appear in what the command printed
    check_argv: list[str] = field(default_factory=list)   # accepted: a command run afterwards …
    check_has: list[str] = field(default_factory=list)    # … whose output has these …
    check_lacks: list[str] = field(default_factory=list)  # … and not these


def check_char(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def valid_id(n: int) -> str:
    first = f"4401061988{(n % 12) + 1:02d}{(n % 27) + 1:02d}{(n * 2 + 1) % 1000:03d}"
    return first + check_char(first)


def _reliability_id(n: int) -> str:
    """An ID number of the test school's own teachers (tests/reliability/helpers.valid_id)."""
    first = f"3301021985{(n % 12) + 1:02d}{(n % 27) + 1:02d}{(n * 2 + 1) % 1000:03d}"
    return first + check_char(first)


def roster_rows(n: int) -> list[list[str]]:
    return [ROSTER_HEADER] + [[f"语料{chr(0x4e50 + i)}", "男", valid_id(i), f"137{i:08d}", "英语", "初中", "在编",
                               "二级教师", f"C{i:03d}", "", "在岗"] for i in range(n)]


def deflated(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED     # ZipInfo alone means "stored": no bomb at all
    return info


def rewrite_members(data: bytes, change) -> bytes:
    """Rebuild a zip, letting `change(name, bytes) -> (name, bytes) | None` edit or drop members."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            got = change(info.filename, zin.read(info.filename))
            if got is not None:
                zout.writestr(got[0], got[1])
    return out.getvalue()


def entity_bomb(valid: bytes) -> bytes:
    dtd = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
           + "]>").encode()

    def plant(name, xml):
        if name == "xl/worksheets/sheet1.xml":
            start = xml.index(b"<worksheet")
            xml = xml[:start] + dtd + xml[start:].replace(b"<t>", b"<t>&lol9;", 1)
        return name, xml
    return rewrite_members(valid, plant)


def zip_bomb(valid: bytes, size_mb: int = 300) -> bytes:
    """A well-formed workbook whose sheet part inflates to `size_mb` MB of zeros (ratio ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(valid)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in zin.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with z.open(deflated("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as fh:
                    chunk = b" " * (1024 * 1024)
                    for _ in range(size_mb):
                        fh.write(chunk)
            else:
                z.writestr(info.filename, zin.read(info.filename))
    return out.getvalue()


def part_bomb(valid: bytes, part: str, size_mb: float, *, rename: str | None = None, seed: int = 5) -> bytes:
    """A workbook whose `part` (styles, shared strings, the workbook) is padded with `size_mb` MB of
    plausible, varied XML that openpyxl would parse whole: compressed about 10:1, so the ratio
    check alone does not stop it (issue 19 item 5). With `rename` the part moves to another name
    and [Content_Types].xml is told so (a cap by name alone would miss it)."""
    rng = random.Random(seed)
    target = int(size_mb * 1024 * 1024)
    lines, size = [], 0
    while size < target:
        if part.endswith("styles.xml"):
            line = (f'<xf numFmtId="{rng.randrange(200)}" fontId="{rng.randrange(9)}" fillId="{rng.randrange(9)}" '
                    f'borderId="{rng.randrange(9)}" xfId="0" applyFont="1"/>')
        elif part.endswith("sharedStrings.xml"):
            line = f"<si><t>{rng.randrange(10 ** 9)}号{rng.choice('甲乙丙丁戊己庚辛')}</t></si>"
        else:
            line = f'<definedName name="n{rng.randrange(10 ** 9)}">Sheet!$A${rng.randrange(10 ** 6)}</definedName>'
        lines.append(line)
        size += len(line.encode())
    filler = "".join(lines).encode("utf-8")

    def pad(name, data):
        if name == part:
            if part.endswith("styles.xml"):
                at = data.index(b">", data.index(b"<cellXfs")) + 1
            else:
                at = data.index(b"</workbook>")
                filler_ = b"<definedNames>" + filler + b"</definedNames>"
                return (rename or name), data[:at] + filler_ + data[at:]
            return (rename or name), data[:at] + filler + data[at:]
        if rename and name == "[Content_Types].xml":
            data = data.replace(f'PartName="/{part}"'.encode(), f'PartName="/{rename}"'.encode())
        if rename and name.endswith(".rels"):
            data = data.replace(part.split("/", 1)[1].encode(), rename.split("/", 1)[1].encode())
        return name, data
    if not part.endswith("sharedStrings.xml"):
        return rewrite_members(valid, pad)
    name = rename or part                 # a shared-strings part, declared in [Content_Types].xml
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main">' + filler + b"</sst>")
    override = (f'<Override PartName="/{name}" ContentType="application/vnd.openxmlformats-officedocument.'
                f'spreadsheetml.sharedStrings+xml"/></Types>').encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(valid)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", override)
            zout.writestr(info.filename, data)
        zout.writestr(name, sst)
    return out.getvalue()


def million_rows(path: Path, rows: int = 1_048_576, cols: int = 1) -> Path:
    """A sheet with every row Excel allows, written as raw XML (seconds, not minutes)."""
    buf = io.BytesIO()
    write_xlsx_to(buf, roster_rows(1))
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info.filename, zin.read(info.filename))
                continue
            with zout.open(deflated("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as fh:
                fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                         b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                head = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                               for i, h in enumerate(ROSTER_HEADER[:3]))
                fh.write(f'<row r="1">{head}</row>'.encode())
                block = []
                rest = "<c><v>7</v></c>" * (cols - 1)
                for r in range(2, rows + 1):
                    block.append(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c>{rest}</row>')
                    if len(block) == 20000:
                        fh.write("".join(block).encode())
                        block = []
                fh.write("".join(block).encode() + b"</sheetData></worksheet>")
    return path


def stable_zip(data: bytes) -> bytes:
    """The same bytes on every run: fixed member times and document dates, so that a flipped
    byte or a cut lands on the same spot each time and a failure can be reproduced."""
    import re
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-09-01T08:00:00Z", body)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=(2025, 9, 1, 8, 0, 0)), body,
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_xlsx_to(fh, rows) -> None:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
        for c in ws[ws.max_row]:
            c.data_type = "s"
    raw = io.BytesIO()
    wb.save(raw)
    fh.write(stable_zip(raw.getvalue()))


def make_db(path: Path, *, version: int | None = None, foreign: bool = False) -> Path:
    con = sqlite3.connect(path)
    if foreign:
        con.execute("CREATE TABLE notes(x)")
    else:
        con.execute("CREATE TABLE teacher(id INTEGER PRIMARY KEY)")
        con.execute("CREATE TABLE blob(sha256 TEXT PRIMARY KEY)")
        con.execute("CREATE TABLE evidencefile(id INTEGER PRIMARY KEY)")
    if version is not None:
        con.execute(f"PRAGMA user_version={version}")
    con.commit()
    con.close()
    return path


def many_entries(valid: bytes, n: int = 12000) -> bytes:
    """A workbook padded with thousands of tiny parts (a cheap way to make a reader walk forever)."""
    def pad(name, body):
        return name, body
    data = rewrite_members(valid, pad)
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as z:
        for i in range(n):
            z.writestr(zipfile.ZipInfo(f"customXml/item{i}.xml", date_time=(2025, 9, 1, 8, 0, 0)), b"<a/>")
    return out.getvalue()


def lying_dimension(rows: int) -> bytes:
    """A valid roster whose <dimension> claims A1:A1 although it holds `rows` teachers (§9 case 4)."""
    import re
    buf = io.BytesIO()
    write_xlsx_to(buf, roster_rows(rows))
    return rewrite_members(buf.getvalue(), lambda n, d: (n, re.sub(rb'<dimension ref="[^"]*"/>',
                                                                   b'<dimension ref="A1:A1"/>', d)
                                                          if n.endswith("sheet1.xml") else d))


def id_as_number() -> bytes:
    """The 身份证号 column stored as numbers, as Excel does when nobody sets it to text (§9 case 7)."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(ROSTER_HEADER)
    ws.append(["数字号", "女", 330102199001011000, "13700000001", "语文", "小学", "在编", "一级教师", "N001", "", "在岗"])
    raw = io.BytesIO()
    wb.save(raw)
    return stable_zip(raw.getvalue())


def text_roster(rows: list[list[str]], encoding: str, sep: str = ",", newline: str = "\n") -> bytes:
    return (newline.join(sep.join(r) for r in rows) + newline).encode(encoding)


def mark_encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' flag on every member, as a password-protected zip would have."""
    b = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = b.find(sig)
        while i != -1:
            b[i + off] |= 0x01
            i = b.find(sig, i + 4)
    return bytes(b)


def future_zip_version(data: bytes) -> bytes:
    """The central directory says 'needs zip version 14.8 to extract' (found by fuzzing: Python's
    zipfile raises NotImplementedError, not BadZipFile)."""
    b = bytearray(data)
    i = b.find(b"PK\x01\x02")
    b[i + 6:i + 8] = (148).to_bytes(2, "little")
    return bytes(b)


def mutate_truncate(data: bytes, frac: float) -> bytes:
    return data[: max(1, int(len(data) * frac))]


def mutate_flip(data: bytes, rng: random.Random, n: int) -> bytes:
    b = bytearray(data)
    for _ in range(n):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def old_format_full_zip() -> bytes:
    """The committed full backup in the first format (manifest.json), zipped as a teacher would."""
    folder = Path(__file__).resolve().parent.parent / "fixtures" / "backup" / "tisheng-full-T2001-20261206-185702"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                z.write(p, f"{folder.name}/{p.relative_to(folder).as_posix()}")
    return buf.getvalue()


def build(out: Path, *, valid_db: Path | None = None, valid_full_zip: Path | None = None,
          big: bool = True, valid_bag: Path | None = None, valid_bag_zip: Path | None = None,
          packs: dict[str, Path] | None = None) -> list[Case]:
    """Write the corpus into `out`; returns the cases (also written to out/corpus.json).

    valid_db / valid_full_zip: a real database backup and full-backup zip of a test school, to be
    mutated for the restore cases (the test passes them; the script alone skips those).
    """
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(8)
    cases: list[Case] = []

    def add(name: str, data: bytes | None, target: str, expect: str, words=(), ext=".xlsx", **kw) -> None:
        file = f"{target}/{name}{ext}"
        path = out / file
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            path.write_bytes(data)
        cases.append(Case(name, file, target, expect, list(words), **kw))

    buf = io.BytesIO()
    write_xlsx_to(buf, roster_rows(12))
    valid = buf.getvalue()

    # -- §9 cases 1-7: hand-made hostile spreadsheets
    add("zero-bytes", b"", "roster", "reject", ["空文件（0 字节）"])
    for frac in (0.05, 0.3, 0.5, 0.9, 0.99):
        add(f"truncated-{int(frac * 100)}", mutate_truncate(valid, frac), "roster", "reject", [BROKEN])
    add("entity-bomb", entity_bomb(valid), "roster", "reject", ["不安全"])
    add("zip-bomb", zip_bomb(valid), "roster", "reject", ["压缩炸弹"])
    if big:
        million_rows(out / "roster" / "million-rows.xlsx")
        add("million-rows", None, "roster", "reject", ["50,000 行", "分成几个文件"])
        # the same as CSV: every row Excel allows, short rows (9 MB); and one just over the size cap
        (out / "roster" / "csv-million-rows.csv").write_bytes(
            ("\ufeff" + ",".join(ROSTER_HEADER) + "\n" + "名,男\n" * 1_048_575).encode("utf-8"))
        add("csv-million-rows", None, "roster", "reject", ["50,000 行", "分成几个文件"], ext=".csv")
        (out / "roster" / "csv-51-mb.csv").write_bytes(b"a" * (51 * 1024 * 1024))
        add("csv-51-mb", None, "roster", "reject", ["超过 CSV 导入上限", "分成几个文件"], ext=".csv")
        # §9 case 5 as written: 1,048,576 rows × 20 columns; its sheet part alone passes the size cap
        million_rows(out / "roster" / "million-rows-20-columns.xlsx", cols=20)
        add("million-rows-20-columns", None, "roster", "reject", ["50,000 行", "分成几个文件"])
    buf = io.BytesIO()
    from openpyxl import Workbook
    wb = Workbook()
    sheet = wb.active
    sheet.append(ROSTER_HEADER)
    sheet.append(["公式老师", "男", '=CONCATENATE("4401061988","0101003")', "13700000000", "英语", "初中", "在编",
                  "二级教师", "F001", "", "在岗"])
    wb.save(buf)
    add("formulas-no-cache", buf.getvalue(), "roster", "reject", ["未计算的公式"])
    add("html-as-xlsx", "<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode(),
        "roster", "reject", [NOT_XLSX, "网页（HTML）"])
    add("xls-as-xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000, "roster", "reject", [NOT_XLSX, ".xls"])
    add("csv-as-xlsx", "姓名,身份证号\n王芳,110105194912310021\n".encode("gbk"), "roster", "reject",
        [NOT_XLSX, "CSV"])
    add("docx-as-xlsx", rewrite_members(valid, lambda n, d: (n.replace("xl/", "word/"), d)), "roster",
        "reject", ["不是 Excel 工作簿"])
    add("html-as-xls", "<html><table><tr><td>姓名</td></tr></table></html>".encode(), "roster", "reject",
        ["网页"], ext=".xls")
    add("garbage-as-xls", bytes(rng.randrange(256) for _ in range(3000)), "roster", "reject", ["文件"],
        ext=".xls")
    add("pdf-as-xlsx", b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(2000)), "roster", "reject",
        [NOT_XLSX])
    add("encrypted-member", mark_encrypted(valid), "roster", "reject", ["已加密"])
    add("zip-version-from-future", future_zip_version(valid), "roster", "reject", [BROKEN])
    # CSV in encodings the office did not expect
    text = "\n".join(",".join(r) for r in roster_rows(5)) + "\n"
    add("csv-utf16-no-bom", text.encode("utf-16-le"), "roster", "either", ext=".csv")
    add("csv-big5", text.encode("big5", errors="replace"), "roster", "reject", ["表头", "Big5", "CSV UTF-8"],
        ext=".csv")
    add("csv-shift-jis", text.encode("shift_jis", errors="replace"), "roster", "reject", ["表头", "CSV UTF-8"],
        ext=".csv")
    add("csv-binary", bytes(rng.randrange(1, 256) for _ in range(5000)), "roster", "reject", ["文件"], ext=".csv")
    add("csv-empty", b"", "roster", "reject", ["空"], ext=".csv")
    add("csv-only-bom", b"\xef\xbb\xbf", "roster", "reject", ["文件"], ext=".csv")
    # a workbook saved as .txt is read as the workbook it is (readers.open_source sends zip content
    # of .csv/.txt to the xlsx reader); it used to fail only because openpyxl refused the extension
    add("unknown-extension", valid, "roster", "accept", ext=".txt", names=[r[0] for r in roster_rows(12)[1:]])
    add("many-parts", many_entries(valid), "roster", "reject", ["内部部件", "安全上限"])
    add("id-stored-as-number", id_as_number(), "roster", "reject", ["存成了数字", "文本"])
    for label, ident, words in (("id-old-15-digits", "110105491231002", ["15位", "18位"]),
                                ("id-bad-check-digit", "110105194912310021", ["校验位错误"]),
                                ("id-feb-30", "330102199002301234", ["不是真实日期"])):
        rows = roster_rows(1)
        rows[1][2] = ident
        add(label, text_roster(rows, "utf-8-sig"), "roster", "reject", words, ext=".csv")
    # CSV the office did not expect, but which is fine: read correctly, names intact (§9 cases 14-16)
    gbk_rows = roster_rows(3)
    for i, nm in enumerate(("卢隆", "鲁垄", "楼拢")):       # GBK bytes that are also valid UTF-8
        gbk_rows[i + 1][0] = nm
    add("csv-gbk-looks-like-utf8", text_roster(gbk_rows, "gbk"), "roster", "accept", ext=".csv",
        names=["卢隆", "鲁垄", "楼拢"])
    add("csv-gbk-excel", text_roster(roster_rows(4), "gbk", newline="\r\n"), "roster", "accept", ext=".csv",
        names=[r[0] for r in roster_rows(4)[1:]])
    add("csv-utf16-bom-tabs", text_roster(roster_rows(2), "utf-16", sep="\t"), "roster", "accept", ext=".csv",
        names=[r[0] for r in roster_rows(2)[1:]])
    add("csv-semicolon-cr", text_roster(roster_rows(2), "utf-8-sig", sep=";", newline="\r"), "roster", "accept",
        ext=".csv", names=[r[0] for r in roster_rows(2)[1:]])
    # hostile names on the file being imported, with a row error so the error-marked copy
    # (<name>_错误标注.xlsx, beside it) has to be named after them; 名×80 leaves no room for it
    bad_row = roster_rows(2)
    bad_row[1][2] = "110105194912310021"
    buf = io.BytesIO()
    write_xlsx_to(buf, bad_row)
    for label, stem in (("import-name-con", "CON"), ("import-name-angle", "名单<终稿>"),
                        ("import-name-240-bytes", "名" * 80), ("import-name-trailing-dot", "名单.")):
        add(label, None, "roster", "reject", ["校验位错误"])
        cases[-1].file = f"roster/{stem}.xlsx"
        (out / cases[-1].file).write_bytes(buf.getvalue())
    two = text_roster(roster_rows(2), "utf-8-sig") + text_roster(roster_rows(4)[3:], "utf-8-sig")
    add("csv-two-exports-pasted", two, "roster", "accept", ext=".csv", names=[r[0] for r in roster_rows(4)[1:]])
    add("csv-quote-never-closed", text_roster(roster_rows(2), "utf-8-sig")[:-40] + b'"' + b"x" * 140000,
        "roster", "reject", ["CSV 格式有误"], ext=".csv")
    add("lying-dimension", lying_dimension(300), "roster", "accept", names=[r[0] for r in roster_rows(300)[1:]])
    hours_text = "\n".join(",".join(r) for r in [HOURS_HEADER, ["王芳", valid_id(1), "理论学习", "abc", "2026-13-45", ""]])
    add("hours-garbage-values", hours_text.encode("utf-8-sig"), "hours", "reject", ["文件"], ext=".csv")
    add("hours-zero-bytes", b"", "hours", "reject", ["空文件"])
    add("hours-truncated", mutate_truncate(valid, 0.6), "hours", "reject", [BROKEN])
    add("hours-html-as-xlsx", "<html><table><tr><td>学时</td></tr></table></html>".encode("gbk"), "hours",
        "reject", [NOT_XLSX, "网页（HTML）"])
    add("hours-entity-bomb", entity_bomb(valid), "hours", "reject", ["不安全"])
    wb = Workbook()
    sheet = wb.active
    sheet.append(HOURS_HEADER)
    sheet.append(["公式老师", valid_id(1), "网络研修", "=2*3", "2025-10-01", "公式"])
    buf = io.BytesIO()
    wb.save(buf)
    add("hours-formulas-no-cache", buf.getvalue(), "hours", "reject", ["未计算的公式"])

    # -- an old .xls (BIFF) roster: renamed to .xlsx it is still read; damaged it is refused, never a crash
    xls = (Path(__file__).resolve().parent.parent / "excel" / "fixtures" / "roster_old.xls").read_bytes()
    # the fixture holds one ID stored as a number on purpose: the file is read, that row refused
    add("real-xls-renamed-xlsx", xls, "roster", "reject", ["已按 .xls 读取", "存成了数字"])
    add("xls-truncated", mutate_truncate(xls, 0.5), "roster", "either", ext=".xls")
    add("xls-truncated-as-xlsx", mutate_truncate(xls, 0.8), "roster", "either")
    for i in range(12):
        add(f"xls-flip-{i}", mutate_flip(xls, rng, 1 + i % 6), "roster", "either", ext=".xls")

    # -- mutations of a valid workbook
    for i, frac in enumerate((0.02, 0.15, 0.45, 0.7, 0.85, 0.95, 0.999)):
        add(f"mut-trunc-{i}", mutate_truncate(valid, frac), "roster", "either")
    for i in range(14):
        add(f"mut-flip-{i}", mutate_flip(valid, rng, 1 + i % 4), "roster", "either")

    def swap(a: str, b: str):
        with zipfile.ZipFile(io.BytesIO(valid)) as z:
            da, db = z.read(a), z.read(b)
        return rewrite_members(valid, lambda n, d: (n, db if n == a else da if n == b else d))
    add("mut-swap-sheet-styles", swap("xl/worksheets/sheet1.xml", "xl/styles.xml"), "roster", "either")
    add("mut-swap-workbook-sheet", swap("xl/workbook.xml", "xl/worksheets/sheet1.xml"), "roster", "either")
    add("mut-swap-contenttypes", swap("[Content_Types].xml", "xl/_rels/workbook.xml.rels"), "roster", "either")
    add("mut-drop-sheet", rewrite_members(valid, lambda n, d: None if n == "xl/worksheets/sheet1.xml" else (n, d)),
        "roster", "either")
    add("mut-drop-workbook", rewrite_members(valid, lambda n, d: None if n == "xl/workbook.xml" else (n, d)),
        "roster", "reject", ["不是 Excel 工作簿"])
    add("mut-empty-sheet-xml", rewrite_members(valid, lambda n, d: (n, b"" if n.endswith("sheet1.xml") else d)),
        "roster", "either")
    add("mut-sheet-not-xml", rewrite_members(valid, lambda n, d: (n, b"\x00\xff" * 50 if n.endswith("sheet1.xml") else d)),
        "roster", "either")
    csv_valid = ("\ufeff" + text).encode("utf-8")
    for i, frac in enumerate((0.1, 0.5, 0.77)):
        add(f"mut-csv-trunc-{i}", mutate_truncate(csv_valid, frac), "roster", "either", ext=".csv")
    for i in range(4):
        add(f"mut-csv-flip-{i}", mutate_flip(csv_valid, rng, 3), "roster", "either", ext=".csv")

    # -- databases that are not what they seem (opened as the data folder's database)
    add("db-not-sqlite", "这是一个记事本文件，被改名成了数据库。".encode("utf-8") * 20, "database", "reject",
        ["不是 SQLite"], ext=".sqlite3")
    add("db-zip-renamed", valid, "database", "reject", ["不是 SQLite"], ext=".sqlite3")
    make_db(out / "database" / "db-newer.sqlite3", version=999)
    add("db-newer", None, "database", "reject", ["更新版本", "999"], ext=".sqlite3")
    if valid_db is not None:
        data = valid_db.read_bytes()
        add("db-truncated-header", data[:60], "database", "reject", ["已损坏"], ext=".sqlite3")
        add("db-pages-garbage", data[:8192] + bytes(rng.randrange(256) for _ in range(len(data) - 8192)),
            "database", "reject", ["已损坏"], ext=".sqlite3")

    # the same damage met by an ordinary command (importing a valid roster): refused before any write
    (out / "database" / "valid-roster.xlsx").write_bytes(valid)
    add("db-not-sqlite-import", "记事本".encode("utf-8") * 100, "database", "reject", ["不是 SQLite"],
        ext=".sqlite3", command="import")
    make_db(out / "database" / "db-newer-import.sqlite3", version=999)
    add("db-newer-import", None, "database", "reject", ["更新版本", "999"], ext=".sqlite3", command="import")
    if valid_db is not None:
        data = valid_db.read_bytes()
        newer = bytearray(data)
        newer[60:64] = (LATEST + 1).to_bytes(4, "big")  # user_version: the next schema this app does not know
        add("db-next-version", bytes(newer), "database", "reject", ["更新版本"], ext=".sqlite3", command="import")
        schema = bytearray(data)
        at = schema.find(b"CREATE TABLE teacher")
        schema[at + 13:at + 15] = b"\xcc\x28"          # a table name that is not UTF-8 any more
        for command in ("fsck", "import"):
            add(f"db-schema-not-utf8-{command}", bytes(schema), "database", "reject", ["已损坏", "没有作任何更改"],
                ext=".sqlite3", command=command)
        add("db-pages-garbage-import", data[:8192] + bytes(rng.randrange(256) for _ in range(len(data) - 8192)),
            "database", "reject", ["已损坏"], ext=".sqlite3", command="import")
        # a stored text that is no longer UTF-8: quick_check passes, the first query that reads it fails
        add("db-text-not-utf8", data.replace(b"T001", b"T\xff01"), "database", "reject", ["已损坏", "tisheng fsck"],
            ext=".sqlite3", command="import")
        import re
        add("db-dates-damaged", re.sub(rb"(\d{4}-\d\d-)\d(\d \d\d:\d\d:\d\d)", rb'\1"\2', data), "database",
            "reject", ["已损坏", "tisheng fsck"], ext=".sqlite3", command="import")
        add("db-truncated-import", data[: len(data) // 3], "database", "reject", ["已损坏"], ext=".sqlite3",
            command="import")
        for i in range(4):
            add(f"db-flip-{i}", mutate_flip(data, rng, 5 + 30 * i), "database", "either", ext=".sqlite3",
                command="import")

    # -- backups handed to `tisheng restore`
    add("restore-empty", b"", "restore", "reject", ["空文件"], ext=".sqlite3")
    add("restore-text", "备份".encode() * 100, "restore", "reject", ["不是本软件的备份"], ext=".sqlite3")
    make_db(out / "restore" / "restore-newer.sqlite3", version=999)
    add("restore-newer", None, "restore", "reject", ["更新版本"], ext=".sqlite3")
    make_db(out / "restore" / "restore-foreign.sqlite3", foreign=True)
    add("restore-foreign", None, "restore", "reject", ["不是本软件的数据文件"], ext=".sqlite3")
    add("restore-xlsx-zip", valid, "restore", "reject", ["manifest.json"], ext=".zip")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps({"format": "tisheng-full-backup", "version": 1, "files": [
            {"path": "tisheng.sqlite3", "sha256": "0" * 64, "size": 10}]}))
        with z.open(deflated("tisheng.sqlite3"), "w", force_zip64=True) as fh:
            for _ in range(200):
                fh.write(b"\0" * (1024 * 1024))
    add("restore-zip-bomb", bomb.getvalue(), "restore", "reject", ["与清单不符"], ext=".zip")
    slip = io.BytesIO()
    with zipfile.ZipFile(slip, "w") as z:
        z.writestr("manifest.json", json.dumps({"format": "tisheng-full-backup", "version": 1, "files": [
            {"path": "tisheng.sqlite3", "sha256": "0" * 64, "size": 1},
            {"path": "../../evil.dll", "sha256": "0" * 64, "size": 1}]}))
        z.writestr("tisheng.sqlite3", b"x")
        z.writestr("../../evil.dll", b"x")
    add("restore-zip-slip", slip.getvalue(), "restore", "reject", ["不安全"], ext=".zip")
    if valid_db is not None:
        data = valid_db.read_bytes()
        add("restore-db-truncated", data[: len(data) // 2], "restore", "reject", ["已损坏"], ext=".sqlite3")
        newer = bytearray(data)
        newer[60:64] = (LATEST + 1).to_bytes(4, "big")
        add("restore-next-version", bytes(newer), "restore", "reject", ["更新版本", "未作任何更改"], ext=".sqlite3")
        for i in range(10):
            add(f"restore-db-flip-{i}", mutate_flip(data, rng, 5 + 25 * i), "restore", "either", ext=".sqlite3")
    if valid_full_zip is not None:
        data = valid_full_zip.read_bytes()
        add("restore-full-zip-version", future_zip_version(data), "restore", "reject", ["损坏"], ext=".zip")
        for i, frac in enumerate((0.3, 0.8, 0.97)):
            add(f"restore-full-trunc-{i}", mutate_truncate(data, frac), "restore", "reject", ["损坏"], ext=".zip")
        for i in range(12):
            add(f"restore-full-flip-{i}", mutate_flip(data, rng, 1 + i % 4), "restore", "either", ext=".zip")
        # the manifest itself damaged (its bytes flipped inside the zip: a bad CRC)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = next(i for i in z.infolist() if i.filename.endswith("/manifest-sha256.txt"))
        head = info.header_offset
        body = head + 30 + int.from_bytes(data[head + 26:head + 28], "little") + \
            int.from_bytes(data[head + 28:head + 30], "little") + info.compress_size // 2
        add("restore-full-manifest-crc", data[:body] + bytes([data[body] ^ 0x10]) + data[body + 1:],
            "restore", "reject", ["损坏"], ext=".zip")

    # -- a named pipe where a file is expected: opening it would wait for a writer forever
    if hasattr(os, "mkfifo"):
        for target, ext in (("roster", ".xlsx"), ("hours", ".csv"), ("restore", ".zip"), ("evidence", ".docx")):
            add(f"fifo-{target}", None, target, "reject", ["不是普通文件"], ext=ext)
            os.mkfifo(out / cases[-1].file)

    # -- hostile names for evidence files (the content is fine; the name must never reach the disk)
    names = ["CON", "aux.txt", "NUL.docx", "COM1.jpg", "LPT¹.png", "a<b>.doc", "作业:第1次?.docx", "报告|终稿.pdf",
             "报告.", "照片 ", "照片.JPG", "照片.jpg", unicodedata.normalize("NFD", "café教案.docx"),
             "100%完成.docx", "-rf.docx", "=HYPERLINK(1).docx", "教" * 85, "x" * 250 + ".docx",
             "line\nbreak.docx", "\u202etxt.exe"]
    for i, nm in enumerate(names):
        folder = f"evidence/n{i:02d}"
        (out / folder).mkdir(parents=True, exist_ok=True)
        (out / folder / nm).write_bytes(f"evidence {i} {nm!r}".encode())
        expected = "".join(ch for ch in nm if ch >= " " and ch != "\x7f").strip()[:255] or "未命名文件"
        cases.append(Case(f"name-{i:02d}", f"{folder}/{nm}", "evidence", "accept", stored_name=expected))
    # names that differ only in case, or only in Unicode normalisation, added to the same record
    for tag, first, second in (("case", "教案.DOCX", "教案.docx"),
                               ("nfd", unicodedata.normalize("NFC", "é课件.pptx"),
                                unicodedata.normalize("NFD", "é课件.pptx"))):
        folder = out / "evidence" / f"pair-{tag}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "1").mkdir(exist_ok=True)
        (folder / "1" / first).write_bytes(b"first " + tag.encode())
        (folder / "2").mkdir(exist_ok=True)
        (folder / "2" / second).write_bytes(b"second " + tag.encode())
        cases.append(Case(f"name-pair-{tag}", f"evidence/pair-{tag}/2/{second}", "evidence", "accept",
                          stored_name=second, before=[f"evidence/pair-{tag}/1/{first}"]))
    # 255 characters is the longest name Linux and NTFS allow; the whole path is far past MAX_PATH (260)
    deep = out / "evidence" / "long" / ("目录" * 40) / ("子目录" * 26) / ("文件夹" * 26)
    deep.mkdir(parents=True, exist_ok=True)
    long_name = "长" * 80 + ".docx"                     # 85 characters, 245 bytes in UTF-8
    (deep / long_name).write_bytes(b"long path")
    cases.append(Case("name-long-path", str((deep / long_name).relative_to(out)), "evidence", "accept",
                      stored_name=long_name))
    (out / "evidence" / "deep" / "a" / "b").mkdir(parents=True, exist_ok=True)
    (out / "evidence" / "deep" / "x").write_bytes(b"dot dot")
    cases.append(Case("name-dotdot", "evidence/deep/x", "evidence", "accept", stored_name="x",
                      argv_file="../../x", cwd="evidence/deep/a/b"))

    # -- issue 19: zip name differentials, nesting, JSON limits, part bombs, environments, text
    from tests.corpus import hostile_issue19 as h19
    h19.environment_cases(out, add, _reliability_id)
    h19.text_file_cases(add, roster_rows, HOURS_HEADER, _reliability_id, text_roster)
    if big:
        h19.workbook_cases(add, valid, part_bomb, rewrite_members)
    # -- security review: a far cell in every spelling python-calamine accepts (it aborted the process)
    from tests.corpus.hostile_grid import grid_cases
    grid_cases(add, valid, rewrite_members)
    if valid_full_zip is not None:
        h19.restore_cases(add, valid_full_zip.read_bytes(), old_format_full_zip())
    if valid_bag is not None and valid_bag_zip is not None:
        h19.bundle_cases(out, add, cases, valid_bag, valid_bag_zip)
    # -- collection packs (issue 17): returned packs mutated; `packs` holds a valid one, another school's
    #    and one the school never issued (the test builds them from its school)
    if packs:
        from tests.corpus.pack_corpus import pack_cases
        cases += pack_cases(out, packs["valid"], packs.get("foreign"), packs.get("stranger"), Case)

    (out / "corpus.json").write_text(json.dumps([asdict(c) for c in cases], ensure_ascii=False, indent=1),
                                     encoding="utf-8")
    return cases


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/corpus/make_corpus.py OUT_DIR")
    made = build(Path(sys.argv[1]))
    print(f"{len(made)} files written to {sys.argv[1]}")
