"""Returns that must be refused: another school's, a pack this school never issued, anything edited after
完成采集, unsafe paths, bad values even with the secret, a withdrawn pack, an unfinished one. Each refusal
is one Chinese message, and neither the school nor the stick changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.services import school as school_service
from app.services.packs import collect, seal
from app.services.packs import layout as L
from app.services.packs.create import create_pack
from app.services.packs.folder import PackFolder
from app.services.packs.merge import merge_return
from app.services.packs.returns import ReturnRefused
from app.services.workspace import Workspace
from tests.packs.helpers import POINT, edit_changes, fill, reseal, school_state, secret_of, tree_hashes


@pytest.fixture
def returned(central, usb, tmp_path) -> Path:
    made = create_pack(central, usb, point=POINT)
    fill(made.path, tmp_path / "src")
    return made.path


def _refused(ws, root: Path, path: Path, *words: str) -> str:
    state, stick = school_state(root), tree_hashes(path)
    with pytest.raises(ReturnRefused) as exc:
        merge_return(ws, path)
    message = exc.value.full_message()
    for w in (*words, "未合并任何内容"):
        assert w in message, message
    assert school_state(root) == state, "the school changed although the return was refused"
    assert tree_hashes(path) == stick, "the stick was written to"
    return message


def _bag(pack: Path) -> Path:
    return L.return_bags(pack)[-1][1]


def test_a_pack_of_another_school_is_refused(point_school, central, central_dir, tmp_path):
    other = tmp_path / "另一所学校"
    shutil.copytree(point_school, other)
    with Workspace.open(other) as ws:
        school_service.update_school(ws, code="X999", name="另一所学校")
        made = create_pack(ws, tmp_path, point=POINT)
    fill(made.path, tmp_path / "src")
    _refused(central, central_dir, made.path, "另一所学校", "X999")


def test_a_pack_this_school_never_issued_is_refused(point_school, central, central_dir, tmp_path):
    twin = tmp_path / "同一学校的另一个数据文件夹"
    shutil.copytree(point_school, twin)
    with Workspace.open(twin) as ws:
        made = create_pack(ws, tmp_path, point=POINT)
    fill(made.path, tmp_path / "src")
    _refused(central, central_dir, made.path, "本校没有发出过")


def test_edited_json_with_the_checksums_redone_fails_the_hmac(central, central_dir, returned):
    bag = _bag(returned)
    edit_changes(bag, lambda b: b["events"][2].update(hours=99))
    reseal(bag)                                         # manifests redone, but no secret
    _refused(central, central_dir, returned, "校验码不符")


def test_a_changed_file_fails_its_hash(central, central_dir, returned):
    bag = _bag(returned)
    victim = next(p for p in (bag / "data" / "files").rglob("*") if p.is_file())
    data = victim.read_bytes()
    victim.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))   # always a change (the video and photo are random)
    _refused(central, central_dir, returned, "与清单不符", victim.name)


def test_a_missing_file_is_named(central, central_dir, returned):
    bag = _bag(returned)
    victim = next(p for p in (bag / "data" / "files").rglob("*") if p.is_file())
    victim.unlink()
    _refused(central, central_dir, returned, "缺少", victim.name)


def test_a_stray_file_in_the_payload_is_refused_but_thumbs_db_is_not(central, central_dir, returned):
    bag = _bag(returned)
    (bag / "data" / "Thumbs.db").write_bytes(b"thumbs")
    (bag / "data" / "新建文本文档.txt").write_text("x", encoding="utf-8")
    _refused(central, central_dir, returned, "多出", "新建文本文档.txt")
    (bag / "data" / "新建文本文档.txt").unlink()
    assert merge_return(central, returned).merged          # Explorer's thumbnail cache is harmless


def test_a_missing_hmac_or_tag_manifest_is_refused(central, central_dir, returned):
    bag = _bag(returned)
    (bag / L.HMAC_FILE).unlink()
    _refused(central, central_dir, returned, "缺少", L.HMAC_FILE)


def test_bad_values_are_refused_even_when_sealed_with_the_secret(central, central_dir, returned):
    bag, secret = _bag(returned), secret_of(returned)
    original = (bag / "data" / "changes.json").read_bytes()
    edit_changes(bag, lambda b: b["events"][2].update(hours=5000))
    reseal(bag, secret)                                 # what a holder of the stick could do
    _refused(central, central_dir, returned, "超出范围")
    (bag / "data" / "changes.json").write_bytes(original)
    edit_changes(bag, lambda b: b["events"].append({"format": "tisheng-pack-change", "kind": "rm -rf",
                                                    "id": "0" * 32}))
    reseal(bag, secret)
    _refused(central, central_dir, returned, "取值不认识")
    (bag / "data" / "changes.json").write_bytes(original)
    edit_changes(bag, lambda b: b["events"][0]["file"].update(name="../../课件.pptx\x00"))
    reseal(bag, secret)
    _refused(central, central_dir, returned, "控制字符")


def test_manifest_paths_that_leave_the_bag_are_refused(central, central_dir, returned):
    bag, secret = _bag(returned), secret_of(returned)
    manifest = (bag / "manifest-sha256.txt").read_bytes() + b"0" * 64 + b"  data/../../../evil.dll\n"
    (bag / "manifest-sha256.txt").write_bytes(manifest)
    reseal(bag, secret, manifest=False)
    _refused(central, central_dir, returned, "不安全的路径", "evil.dll")


def test_a_huge_manifest_is_refused_before_it_is_read(central, central_dir, returned):
    bag, secret = _bag(returned), secret_of(returned)
    with open(bag / "manifest-sha256.txt", "ab") as fh:
        fh.write((b"0" * 64 + b"  data/files/00/" + b"0" * 64 + b"\n") * 60000)
    reseal(bag, secret, manifest=False)
    _refused(central, central_dir, returned, "过大")


def test_a_pack_replaced_by_a_newer_one_is_refused(central, central_dir, usb, tmp_path):
    first = create_pack(central, usb, point=POINT)
    fill(first.path, tmp_path / "src")
    create_pack(central, usb, point=POINT, replace=True)
    _refused(central, central_dir, first.path, "已作废")


def test_an_unfinished_or_never_finished_pack_says_so(central, central_dir, usb, tmp_path):
    made = create_pack(central, usb, point=POINT)
    _refused(central, central_dir, made.path, "还没有“完成采集”")
    pack = PackFolder.open(made.path)
    collect.add_hours(pack, "T000", category="网络研修", hours=1)
    result = seal.seal(pack)
    result.path.rename(result.path.with_name(result.path.name + ".partial"))
    _refused(central, central_dir, made.path, "没有做完")


def test_a_duplicate_change_id_from_another_pack_is_refused(central, central_dir, usb, tmp_path):
    made = create_pack(central, usb, point=POINT)
    fill(made.path, tmp_path / "src")
    merge_return(central, made.path)
    other = create_pack(central, usb, group="数学组")
    pack = PackFolder.open(other.path)
    collect.add_hours(pack, "T100", category="网络研修", hours=1)
    seal.seal(pack)
    stolen = json.loads((_bag(made.path) / "data" / "changes.json").read_text(encoding="utf-8"))["events"][1]["id"]
    bag = _bag(other.path)
    edit_changes(bag, lambda b: b["events"][0].update(id=stolen))
    reseal(bag, secret_of(other.path))
    _refused(central, central_dir, other.path, "编号")


def test_changes_for_a_teacher_outside_the_pack_are_shown_and_not_merged(central, returned):
    from app.services.hours import list_hours
    from app.services.packs.merge import preview_merge
    from app.services.packs.merge_plan import CANNOT
    from app.services.teachers import resolve
    outsider = resolve(central, "T100").id                      # at the school itself, not in the pack
    bag, secret = _bag(returned), secret_of(returned)
    edit_changes(bag, lambda b: b["events"][2].update(teacher=outsider))
    reseal(bag, secret)
    line = next(line for line in preview_merge(central, returned).lines if line.kind == "学时")
    assert (line.status, line.reason) == (CANNOT, "该教师不在这个采集包中")
    merge_return(central, returned)
    assert list_hours(central, outsider) == []
