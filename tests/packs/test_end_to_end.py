"""Issue 17 'Done when', through the real command line: a 3-teacher teaching point collects offline on a
stick with a second data folder (which is never needed), the school merges the return, `check` reflects
it, a second merge changes nothing and a tampered return is refused with the school unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from app.services.packs import layout as L
from tests.cli.conftest import Cli
from tests.packs.helpers import POINT, school_state, tree_hashes
from tests.reliability.helpers import valid_id, write_file


def _findings(cli) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    cli("check", "--json")
    for f in json.loads(cli.out)["findings"]:
        out.setdefault(f["teacher_name"], []).append(f["message"])
    return out


def test_teaching_point_collects_offline_and_the_school_merges_it_once(central_dir, usb, tmp_path, capsys):
    school = Cli(capsys, central_dir)
    point = Cli(capsys, tmp_path / "教学点电脑")          # a second data folder: only the installer there
    before = _findings(school)
    created = school.json("pack", "create", usb, "--point", POINT, "--by", "中心校教务", "--sheet", tmp_path / "说明.pdf")
    pack = Path(created["path"])
    assert [t["name"] for t in created["teachers"]] == ["教师一", "教师丁", "教师丂"]   # 本部老师 is not in it
    assert all("*" in t["id_number"] for t in created["teachers"])
    raw = b"".join(p.read_bytes() for p in pack.rglob("*") if p.is_file())
    for n in range(3):                                   # no full ID number anywhere on the stick
        assert valid_id(n).encode() not in raw
    assert (tmp_path / "说明.pdf").read_bytes().startswith(b"%PDF")

    shown = point.json("pack", "show", pack)
    assert shown["programme"] == "全国通用 提升工程2.0" and len(shown["teachers"]) == 3
    src = tmp_path / "教学点的文件"
    report = write_file(src, "学情分析报告.docx", b"report " * 500)
    video = write_file(src, "课堂实录.mp4", b"\x00\x00\x00\x18ftypmp42" * 20000)
    photo = write_file(src, "签到表.jpg", b"\xff\xd8photo" * 300)
    point.ok("pack", "attach", pack, "T000", "A1", "2", report, "--by", "王老师")
    point.ok("pack", "attach", pack, "T001", "A6", "课堂实录片段", video)
    point.ok("pack", "hours", pack, "T000", "--category", "网络研修", "--hours", "12", "--date", "2026-11-02")
    point.ok("pack", "activity", pack, "--title", "送教下乡：数学示范课", "--kind", "送教下乡", "--date", "2026-11-05",
             "--hours", "3", "--category", "实践应用", "--teacher", "T000", "T001", "T002", "--file", photo)
    point.ok("pack", "choose", pack, "T002", "A1", "A3", "A5")
    finished = point.json("pack", "finish", pack, "--by", "王老师")
    assert finished["return_seq"] == 1 and finished["changes"] == 5
    assert not (tmp_path / "教学点电脑" / "tisheng.sqlite3").exists()      # the pack needed no school data folder

    state = school_state(central_dir)
    preview = school.json("pack", "merge", pack, "--dry-run")
    assert preview["merged"] is False and preview["plan"]["new"] == 5 and preview["plan"]["conflicts"] == 0
    assert school_state(central_dir) == state                            # a preview changes nothing

    merged = school.json("pack", "merge", pack, "--by", "李主任")
    assert merged["merged"] and merged["counts"] == {"evidence": 2, "hours": 1, "activities": 1, "choices": 1}
    after = _findings(school)
    assert "教师一：A1 学情分析报告 缺少证据" in before["教师一"]
    assert "教师一：A1 学情分析报告 缺少证据" not in after["教师一"]          # the file attached there
    assert "教师丁：A6 课堂实录片段 缺少证据" not in after["教师丁"]
    assert _hours(before, "教师一") + 12 + 3 == _hours(after, "教师一")    # hours and the 送教下乡 activity
    assert _hours(before, "教师丂") + 3 == _hours(after, "教师丂")
    assert "教师丂：A5 课堂实录片段 缺少证据" in after["教师丂"]            # the changed choice
    assert not any("A6" in m for m in after["教师丂"]) and any("A6" in m for m in before["教师丂"])
    listed = school.json("pack", "list")
    assert listed[0]["status"] == "已收回" and listed[0]["returned_seq"] == 1
    school("pack", "list")
    assert "0 个已发出尚未收回" in school.out
    audit = [a["action"] for a in _audit(central_dir)]
    assert audit == ["pack-create", "pack-return", "pack-merge"]

    state = school_state(central_dir)
    again = school.json("pack", "merge", pack)
    assert again["merged"] is False and "已经合并过" in again["message"]
    assert school_state(central_dir) == state                            # merging twice changes nothing

    tampered = tmp_path / "改过的U盘" / pack.name
    shutil.copytree(pack, tampered)
    bag = L.return_bags(tampered)[-1][1]
    body = json.loads((bag / "data" / "changes.json").read_text(encoding="utf-8"))
    body["events"][2]["hours"] = 120
    (bag / "data" / "changes.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    stick_before = tree_hashes(tampered)
    message = school.fails("pack", "merge", tampered)
    assert "不符" in message and "未合并任何内容" in message
    assert school_state(central_dir) == state and tree_hashes(tampered) == stick_before


def _hours(findings: dict, name: str) -> float:
    line = next(m for m in findings[name] if m.startswith(f"{name}：总学时"))
    return float(line.split("总学时 ")[1].split("/")[0])


def _audit(root: Path) -> list[dict]:
    import sqlite3
    con = sqlite3.connect(root / "tisheng.sqlite3")
    rows = [{"action": a, **json.loads(d)} for a, d in con.execute(
        "SELECT action, detail FROM auditentry WHERE action LIKE 'pack-%' ORDER BY id")]
    con.close()
    return rows
