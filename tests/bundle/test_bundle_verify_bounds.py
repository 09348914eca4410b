"""verify against renamed (replayed) bags and exhausting ones (issue 19 items 2 and 4).

A bag is sealed under its name: a folder or zip renamed afterwards fails and the report shows the
sealed name and time. 1,100 nested folders, a bundle.json of 200,000 `[` or 60 MB of `[{},…]`
end in a clear finding, not a RecursionError or gigabytes of memory, and a file whose hash is wrong
is never parsed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.services import safejson
from app.services.bundle import layout as L
from app.services.bundle.export import ExportOptions, export_bundle
from app.services.bundle.verify import format_report, verify_path


@pytest.fixture
def folder_bag(school, usb, plugins):
    ws, _ = school
    return export_bundle(ws, usb, plugins=plugins).path


def _renamed(bag: Path, name: str) -> Path:
    dst = bag.parent / name
    shutil.copytree(bag, dst)
    return dst


def test_a_valid_bag_shows_its_sealed_name_and_time(folder_bag):
    report = verify_path(folder_bag)
    text = format_report(report)
    assert report.ok, text
    assert f"封存名称：{folder_bag.name}（封存于 20" in text
    assert report.info["sealed_name"] == folder_bag.name


def test_a_bag_renamed_to_a_newer_name_fails(folder_bag):
    """Last term's bundle handed in again under this term's name."""
    code, stamp = folder_bag.name.split("_", 1)
    newer = _renamed(folder_bag, f"{code}_29991231-235959")
    report = verify_path(newer)
    text = format_report(report)
    assert not report.ok, text
    assert "改过名" in text and folder_bag.name in text and "封存于" in text
    assert report.signature.good                     # the content is intact; the name is not


def test_a_renamed_zip_fails_and_a_copy_suffix_only_warns(school, usb, plugins, tmp_path):
    ws, _ = school
    z = export_bundle(ws, usb, ExportOptions(as_zip=True), plugins=plugins).path
    assert verify_path(z).ok
    renamed = z.with_name("2102810001_29991231-235959.zip")
    shutil.copyfile(z, renamed)
    report = verify_path(renamed)
    assert not report.ok and "压缩包文件名" in format_report(report)
    copy = z.with_name(z.stem + " (1).zip")
    shutil.copyfile(z, copy)
    report = verify_path(copy)
    assert report.ok and any("复制产生的后缀" in w for w in report.warnings), format_report(report)


def test_a_copied_folder_warns_only(folder_bag):
    report = verify_path(_renamed(folder_bag, folder_bag.name + " - 副本"))
    assert report.ok and any("复制产生的后缀" in w for w in report.warnings)


def _rehash(bag: Path, rel: str) -> None:
    """Rewrite the manifest and tag manifest for an edited file (the signature stays stale)."""
    payload, _ = L.parse_manifest((bag / L.MANIFEST).read_bytes(), L.MANIFEST)
    payload[rel] = hashlib.sha256((bag / rel).read_bytes()).hexdigest()
    (bag / L.MANIFEST).write_bytes(L.manifest_bytes(payload))
    tags, _ = L.parse_manifest((bag / L.TAGMANIFEST).read_bytes(), L.TAGMANIFEST)
    tags[L.MANIFEST] = hashlib.sha256((bag / L.MANIFEST).read_bytes()).hexdigest()
    (bag / L.TAGMANIFEST).write_bytes(L.manifest_bytes(tags))


def _cli_verify(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    return subprocess.run([sys.executable, "-m", "app", "verify", str(path)], capture_output=True,
                          text=True, env=env, timeout=120)


def test_1100_nested_folders_are_a_finding_not_a_crash(folder_bag):
    deep = folder_bag / "data"
    for _ in range(1100):                            # os.makedirs itself would recurse
        deep = deep / "a"
        os.mkdir(deep)
    (deep / "x.txt").write_bytes(b"x")
    try:
        run = _cli_verify(folder_bag)
        assert run.returncode == 1, run.stderr
        assert "层级超过" in run.stdout and "Traceback" not in run.stderr + run.stdout
    finally:
        (deep / "x.txt").unlink()
        while deep != folder_bag / "data":           # shutil.rmtree recurses too
            deep.rmdir()
            deep = deep.parent


def test_a_deeply_nested_bundle_json_is_refused_before_parsing(folder_bag):
    (folder_bag / "data" / "bundle.json").write_bytes(b"[" * 200_000 + b"]" * 200_000)
    _rehash(folder_bag, "data/bundle.json")         # hashes right, so the parser is reached
    run = _cli_verify(folder_bag)
    assert run.returncode == 1 and "嵌套超过" in run.stdout, run.stdout + run.stderr


def test_a_bundle_json_whose_hash_is_wrong_is_never_parsed(folder_bag, monkeypatch):
    (folder_bag / "data" / "bundle.json").write_bytes(b"[" + b"{}," * 20_000_000 + b"{}]")   # 60 MB
    calls = []
    monkeypatch.setattr(safejson, "loads", lambda *a, **k: calls.append(a))
    report = verify_path(folder_bag)
    assert not report.ok and report.altered == ["data/bundle.json"]
    assert calls == [] and any("未读取其内容" in w for w in report.warnings)


def test_a_huge_bundle_json_with_right_hashes_is_refused_by_size(folder_bag, monkeypatch):
    (folder_bag / "data" / "bundle.json").write_bytes(b"[" + b"{}," * 20_000_000 + b"{}]")
    _rehash(folder_bag, "data/bundle.json")
    calls = []
    monkeypatch.setattr(safejson, "loads", lambda *a, **k: calls.append(a))
    report = verify_path(folder_bag)
    assert not report.ok and calls == []
    assert "超过上限" in format_report(report)


@pytest.mark.parametrize("text,words", [
    (b"[" * 200_000 + b"]" * 200_000, "嵌套超过"),
    (b"[" + b"1," * 3_000_000 + b"1]", "数据项"),
    (b"[" * 200_000, None),                           # never closed: plainly not JSON
], ids=["deep", "many-values", "unclosed"])
def test_safejson_bounds(text, words):
    if words is None:
        with pytest.raises(ValueError):
            safejson.loads(text, what="x", max_bytes=64 << 20, max_values=2_000_000)
        return
    with pytest.raises(safejson.JsonRefused, match=words):
        safejson.loads(text, what="x", max_bytes=64 << 20, max_values=2_000_000)
    assert safejson.loads(b'{"a": [1, {"b": "[[[\\"]]"}]}', what="x", max_bytes=100) == {"a": [1, {"b": '[[["]]'}]}


def test_tag_files_whose_hash_is_wrong_are_not_parsed(folder_bag, monkeypatch):
    """The manifest and bag-info.txt are hashed against the signed tag manifest first; edited,
    they are reported as altered and never parsed (nor is bundle.json, which they would vouch for)."""
    manifest = folder_bag / L.MANIFEST
    manifest.write_bytes(manifest.read_bytes() + b"0" * 64 + b"  data/extra.txt\n")
    info = folder_bag / L.BAG_INFO
    info.write_bytes(info.read_bytes().replace(b"Tisheng-Bag-Name: ", b"Tisheng-Bag-Name: X"))
    parsed = []
    real_manifest, real_info = L.parse_manifest, L.parse_bag_info
    monkeypatch.setattr(L, "parse_manifest", lambda data, name: parsed.append(name) or real_manifest(data, name))
    monkeypatch.setattr(L, "parse_bag_info", lambda data: parsed.append(L.BAG_INFO) or real_info(data))
    monkeypatch.setattr(safejson, "loads", lambda *a, **k: parsed.append("bundle.json"))
    report = verify_path(folder_bag)
    assert not report.ok and {L.MANIFEST, L.BAG_INFO} <= set(report.altered)
    assert parsed == [L.TAGMANIFEST], parsed
    assert "被改动过" in format_report(report) and report.extra == []
