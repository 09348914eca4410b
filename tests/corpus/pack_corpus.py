"""Hostile and broken collection packs for the corpus (issue 17): each a copy of a real returned pack,
mutated the way a stick, a curious user or an attacker could – paths that leave the folder, huge or
deeply nested files, another school's pack, edited JSON (with and without the secret that is on the
stick), missing and extra files. Every one must be refused by `tisheng pack merge` with a Chinese
message and change nothing."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from app.services.bundle import layout as BL
from app.services.packs import layout as L
from tests.packs.helpers import edit_changes, reseal, secret_of

TAMPERED = "未合并任何内容"


def _bag(pack: Path) -> Path:
    return L.return_bags(pack)[-1][1]


def pack_cases(out: Path, valid: Path, foreign: Path | None, stranger: Path | None, case_type) -> list:
    """Write the pack cases under out/pack/; returns Case objects (case_type is make_corpus.Case)."""
    cases = []
    root = out / "pack"

    def case(name: str, words: list[str], mutate=None, source: Path = valid) -> None:
        folder = root / name / source.name
        shutil.copytree(source, folder, symlinks=True)
        if mutate is not None:
            mutate(folder, _bag(folder) if L.return_bags(folder) else None, secret_of(folder))
        cases.append(case_type(f"pack-{name}", str(folder.relative_to(out)), "pack", "reject", words + [TAMPERED]))

    def manifest_line(path: str, sha: str = "0" * 64):
        def mutate(pack, bag, secret):
            with open(bag / BL.MANIFEST, "ab") as fh:
                fh.write(f"{sha}  {path}\n".encode("utf-8"))
            reseal(bag, secret, manifest=False)
        return mutate

    # paths that leave the bag (zip-slip class), listed in a manifest sealed with the stick's own secret
    case("slip-dotdot", ["不安全的路径"], manifest_line("data/../../../Windows/evil.dll"))
    case("slip-absolute", ["不安全的路径"], manifest_line("/etc/passwd"))
    case("slip-drive", ["不安全的路径"], manifest_line("C:/Windows/evil.dll"))
    case("slip-backslash", ["不安全的路径"], manifest_line("data\\..\\..\\evil.dll"))
    case("slip-stream", ["不安全的路径"], manifest_line("data/files/x.txt:hidden"))

    def payload_link(pack, bag, secret):
        os.symlink("/etc/passwd", bag / "data" / "passwd")
    if hasattr(os, "symlink"):
        case("symlink", ["链接"], payload_link)

    # sizes and shapes a parser could choke on
    def huge_manifest(pack, bag, secret):
        line = ("0" * 64 + "  data/files/00/" + "0" * 64 + "\n").encode()
        (bag / BL.MANIFEST).write_bytes(line * (L.MAX_MANIFEST // len(line) + 10))
        reseal(bag, secret, manifest=False)
    case("huge-manifest", ["过大"], huge_manifest)

    def many_events(pack, bag, secret):
        edit_changes(bag, lambda b: b["events"].extend([dict(b["events"][1], id=f"{n:032x}")
                                                        for n in range(L.MAX_CHANGES + 1)]))
        reseal(bag, secret)
    case("too-many-changes", ["项目过多"], many_events)

    def deep(pack, bag, secret):
        (bag / "data" / "changes.json").write_bytes(b"[" * 200_000 + b"]" * 200_000)
        reseal(bag, secret)
    case("deep-json", ["嵌套层次过深"], deep)

    def nan(pack, bag, secret):
        path = bag / "data" / "changes.json"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('"hours": 12.0', '"hours": NaN', 1), encoding="utf-8")
        reseal(bag, secret)
    case("nan-hours", ["json"], nan)

    def big_number(pack, bag, secret):
        path = bag / "data" / "changes.json"
        path.write_text(path.read_text(encoding="utf-8").replace('"hours": 12.0', '"hours": 1e400', 1),
                        encoding="utf-8")
        reseal(bag, secret)
    case("infinite-hours", ["应为数字"], big_number)

    def long_digits(pack, bag, secret):
        path = bag / "data" / "changes.json"
        path.write_text(path.read_text(encoding="utf-8").replace('"hours": 12.0', '"hours": ' + "9" * 6000, 1),
                        encoding="utf-8")
        reseal(bag, secret)
    case("digits-hours", ["json"], long_digits)

    def not_utf8(pack, bag, secret):
        (bag / "data" / "changes.json").write_bytes("改动".encode("gbk") * 50)
        reseal(bag, secret)
    case("gbk-json", ["UTF"], not_utf8)

    def bom_manifest(pack, bag, secret):
        (bag / BL.MANIFEST).write_bytes(b"\xef\xbb\xbf" + (bag / BL.MANIFEST).read_bytes())
        reseal(bag, secret, manifest=False)
    case("bom-manifest", ["BOM"], bom_manifest)

    # another school's pack, and one this school never issued
    if foreign is not None:
        case("other-school", ["另一所学校"], source=foreign)
    if stranger is not None:
        case("never-issued", ["本校没有发出过"], source=stranger)

    # edited after 完成采集
    def edit_only(pack, bag, secret):
        edit_changes(bag, lambda b: b["events"][2].update(hours=99))
    case("edited-json", ["与清单不符"], edit_only)

    def edit_resealed(pack, bag, secret):
        edit_changes(bag, lambda b: b["events"][2].update(hours=99))
        reseal(bag)                                  # checksums redone, but without the secret
    case("edited-json-no-secret", ["校验码不符"], edit_resealed)

    def edit_bag_info(pack, bag, secret):
        info = (bag / BL.BAG_INFO).read_bytes().replace(b"Tisheng-Return-Seq: 1", b"Tisheng-Return-Seq: 9")
        (bag / BL.BAG_INFO).write_bytes(info)
        reseal(bag, manifest=False)
    case("edited-bag-info", ["校验码不符"], edit_bag_info)

    def bad_value(pack, bag, secret):
        edit_changes(bag, lambda b: b["events"][2].update(hours=5000))
        reseal(bag, secret)                          # a holder of the stick knows the secret
    case("hours-out-of-range", ["超出范围"], bad_value)

    def unknown_kind(pack, bag, secret):
        edit_changes(bag, lambda b: b["events"].append(dict(b["events"][1], id="f" * 32, kind="drop_table")))
        reseal(bag, secret)
    case("unknown-kind", ["取值不认识"], unknown_kind)

    def dup_id(pack, bag, secret):
        edit_changes(bag, lambda b: b["events"].append(dict(b["events"][1])))
        reseal(bag, secret)
    case("duplicate-id", ["编号重复"], dup_id)

    def control_name(pack, bag, secret):
        edit_changes(bag, lambda b: b["events"][0]["file"].update(name="..\\..\\a\x07.docx"))
        reseal(bag, secret)
    case("control-in-name", ["控制字符"], control_name)

    # missing and extra files
    def missing_file(pack, bag, secret):
        next(p for p in (bag / "data" / "files").rglob("*") if p.is_file()).unlink()
    case("missing-file", ["缺少"], missing_file)

    def missing_listed(pack, bag, secret):
        next(p for p in (bag / "data" / "files").rglob("*") if p.is_file()).unlink()
        reseal(bag, secret)                          # the manifest agrees, the changes still need it
    case("missing-file-resealed", ["缺少更改所需的文件"], missing_listed)

    def extra_file(pack, bag, secret):
        (bag / "data" / "新建文本文档.txt").write_text("hello", encoding="utf-8")
    case("extra-file", ["多出"], extra_file)

    def flipped(pack, bag, secret):
        victim = max((p for p in (bag / "data" / "files").rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0x01
        victim.write_bytes(bytes(data))
    case("bit-flip", ["与清单不符"], flipped)

    def no_hmac(pack, bag, secret):
        (bag / L.HMAC_FILE).unlink()
    case("no-hmac", ["缺少"], no_hmac)

    def uncovered(pack, bag, secret):
        tags = {n: hashlib.sha256((bag / n).read_bytes()).hexdigest() for n in (BL.BAGIT_TXT, BL.BAG_INFO)}
        (bag / BL.TAGMANIFEST).write_bytes(BL.manifest_bytes(tags))
        reseal(bag, secret, manifest=False, tags=False)
    case("tagmanifest-uncovered", ["没有覆盖"], uncovered)

    def garbage_info(pack, bag, secret):
        (bag / BL.BAG_INFO).write_bytes(os.urandom(2000))
        reseal(bag, manifest=False)                  # no pack id left to compute an HMAC for
    case("garbage-bag-info", ["没有有效的采集包编号"], garbage_info)

    # never finished, or interrupted
    def unsealed(pack, bag, secret):
        shutil.rmtree(bag)
    case("never-finished", ["还没有“完成采集”"], unsealed)

    def partial(pack, bag, secret):
        bag.rename(bag.with_name(bag.name + L.PARTIAL))
    case("partial-return", ["没有做完"], partial)

    # a file where a folder is expected (a zipped pack)
    zipped = root / "zipped" / "采集包.zip"
    zipped.parent.mkdir(parents=True, exist_ok=True)
    shutil.make_archive(str(zipped.with_suffix("")), "zip", valid.parent, valid.name)
    cases.append(case_type("pack-zipped", str(zipped.relative_to(out)), "pack", "reject", ["解压", TAMPERED]))
    (root / "corpus-packs.json").write_text(json.dumps([c.name for c in cases], ensure_ascii=False), encoding="utf-8")
    return cases
