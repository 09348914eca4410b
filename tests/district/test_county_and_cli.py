"""The county view and workbook, and every district command with --json, in Chinese."""

from __future__ import annotations

import json
import re

import pytest
from openpyxl import load_workbook

from app.cli.main import build_parser, main
from app.services import keys
from app.services.district import intake, register
from app.services.district.county import load_county
from app.services.district.county_workbook import write_county_workbook
from tests.district.conftest import export, small_school


@pytest.fixture
def taken_in(tmp_path, district):
    a = small_school(tmp_path / "a", "A01", "甲小学", seed=1, teachers=3)
    b = small_school(tmp_path / "b", "B02", "乙小学", seed=2, teachers=4)
    for ws, code in ((a, "A01"), (b, "B02")):
        register.add_key(district, code, fingerprint=keys.school_key(ws).fingerprint)
    register.add_key(district, "C03", fingerprint="1" * 32, name="丙教学点", kind="教学点")
    bags = [export(a, tmp_path / "stick"), export(b, tmp_path / "stick")]
    intake.ingest(district, [tmp_path / "stick"])
    yield a, b, bags
    a.close()
    b.close()


def test_county_rows_cover_every_unit(taken_in, district):
    view = load_county(district)
    rows = {r.unit_code: r for r in view.units}
    assert set(rows) == {"A01", "B02", "C03"}
    assert rows["C03"].kind == "教学点" and not rows["C03"].submitted and rows["C03"].recheck == "未报送"
    assert rows["B02"].active == 4 and rows["B02"].meeting <= 4 and rows["B02"].case_quota == 1
    t = view.totals()
    assert t["units"] == 3 and t["submitted"] == 2 and t["active"] == 7


def test_the_county_workbook_prints_on_a4(taken_in, district, tmp_path):
    path = write_county_workbook(district, tmp_path / "全县汇总.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["全县汇总", "复核差异", "材料雷同", "同一人员", "报送记录"]
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == 9 and int(ws.page_setup.fitToWidth) == 1       # 9: A4
        assert ws.print_title_rows and ws.freeze_panes
    summary = wb["全县汇总"]
    names = [summary.cell(row=r, column=1).value for r in range(3, summary.max_row + 1)]
    assert "甲小学" in names and "丙教学点" in names
    assert summary.cell(row=2, column=1).value == "学校 / 教学点"


def test_every_district_command_speaks_json(taken_in, district, tmp_path, capsys):
    a, _b, bags = taken_in
    d = ["--data-dir", str(district.paths.root)]
    district.close()

    def run(*args):
        code = main([*args, *d, "--json"])
        return code, json.loads(capsys.readouterr().out)

    code, out = run("district", "info")
    assert code == 0 and re.fullmatch(r"([0-9A-F]{4}-){7}[0-9A-F]{4}", out["fingerprint"])
    assert run("district", "key", "list")[1][0]["school"] == "A01"
    code, out = run("district", "schools")
    assert code == 0 and {u["school"] for u in out} == {"A01", "B02", "C03"}
    code, out = run("district", "paper", bags[0].seal.seal_code)
    assert code == 0 and out["matched"]
    code, out = run("district", "paper", "0" * 32)
    assert code == 1 and not out["matched"]
    code, out = run("district", "ingest", str(tmp_path / "stick"))
    assert code == 0 and out["counts"]["已接收过"] == 2
    code, out = run("district", "receipt", "A01", str(tmp_path / "r"))
    assert code == 0 and out["seal_code"] == bags[0].seal.seal_code
    assert run("district", "versions", "A01")[1][0]["version"] == 1
    assert run("district", "show", bags[0].seal.seal_code[:9])[1]["bundle"]["school"] == "A01"
    assert len(run("district", "county")[1]["rows"]) == 3
    assert run("district", "report", str(tmp_path / "x.xlsx"))[1]["ok"]
    assert run("district", "duplicates")[1] == {"files": [], "persons": []}
    assert run("district", "recheck")[1]["rechecked"] == 2
    assert run("district", "log")[1][0]["outcome"] == "已接收过"
    assert run("district", "programme", "publish", str(tmp_path / "pub"))[1]["hash"]
    ad = ["--data-dir", str(a.paths.root)]
    a.close()
    code = main(["receipt", "import", str(next((tmp_path / "r").glob("回执_*.json"))), "--district-key",
                 str(tmp_path / "r" / "区县公钥.pub"), *ad, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["status"].startswith("区县已接收 · ")
    assert main(["receipt", "list", *ad, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["receipts"][0]["seal_code"] == bags[0].seal.seal_code
    code = main(["programme", "import", str(tmp_path / "pub" / "区县项目方案_D210281.json"), *ad, "--json"])
    capsys.readouterr()
    assert code == 0


def test_school_commands_print_seal_code_and_fingerprint(tmp_path, capsys):
    ws = small_school(tmp_path / "s", "S1", "一小", teachers=1)
    root = str(ws.paths.root)
    ws.close()
    assert main(["key", "show", "--data-dir", root, "--json"]) == 0
    fp = json.loads(capsys.readouterr().out)["fingerprint"]
    (tmp_path / "usb").mkdir()
    assert main(["export", str(tmp_path / "usb"), "--allow-incomplete", "--data-dir", root, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert re.fullmatch(r"([0-9A-F]{4}-){7}[0-9A-F]{4}", out["seal_code"]) and out["fingerprint"] == fp


def test_a_district_command_on_a_school_folder_says_so(tmp_path, capsys):
    ws = small_school(tmp_path / "s", "S1", "一小", teachers=1)
    root = str(ws.paths.root)
    ws.close()
    assert main(["district", "schools", "--data-dir", root]) == 2
    assert "不是区县项目办的数据文件夹" in capsys.readouterr().err
    assert main(["district", "key", "add", "--school", "S1", "--fingerprint", "3F2A-91CO", "--data-dir", root]) == 2
    err = capsys.readouterr().err
    assert "第 2 组" in err and "“O”" in err


def _commands(group):
    top = build_parser()._subparsers._group_actions[0].choices
    found = []

    def walk(path, parser):
        found.append(path)
        for action in parser._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                for name, child in action.choices.items():
                    walk(path + (name,), child)

    walk((group,), top[group])
    return found


@pytest.mark.parametrize("command", _commands("district") + _commands("receipt"), ids=" ".join)
def test_help_is_chinese(capsys, command):
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0 and out.startswith("用法：tisheng " + " ".join(command))
    assert "选项:" in out and "显示帮助并退出" in out
    text = re.sub(r"--?[a-z][a-z-]*", " ", out)
    allowed = {"tisheng", "JSON", "TISHENG_DATA_DIR", "minisign", "RW", "TSB1", "pub", "json", "minisig", "zip",
               "bagit", "txt", "USB", "Excel", "A4", "xlsx", "Vm"}
    commands = set(build_parser()._subparsers._group_actions[0].choices) | {"set", "import", "export"}
    words = set(re.findall(r"[A-Za-z][A-Za-z_0-9]+", text)) - allowed - commands - {
        c for cmd in _commands("district") + _commands("receipt") for c in cmd}
    words = {w for w in words if not re.fullmatch(r"[0-9A-F]+", w)}            # hex examples (3F2A-91C0)
    assert not words, f"English left in the help of {' '.join(command)}: {sorted(words)}"
