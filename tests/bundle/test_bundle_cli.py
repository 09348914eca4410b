"""tisheng key / export / verify through the real command line entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli.main import main
from app.services.bundle import export as export_mod
from app.services.bundle.export import Plugins


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def cli_school(school, monkeypatch, calls):
    """The demo school with the fake workbook/forms, and the real compliance engine."""
    from app.services.compliance import run_check

    from .conftest import fake_write_forms, fake_write_report
    monkeypatch.setattr(export_mod, "default_plugins",
                        lambda: Plugins(fake_write_report(calls), fake_write_forms(calls), run_check))
    ws, info = school
    return ws.paths.root, info


def test_key_show_export_replace(cli_school, capsys, tmp_path):
    data, _ = cli_school
    rc, out, _ = run(capsys, "key", "show", "--json", "--data-dir", data)
    assert rc == 0
    shown = json.loads(out)
    assert shown["public_key"].startswith("RW") and len(shown["fingerprint"]) == 39
    rc, out, _ = run(capsys, "key", "show", "--data-dir", data)
    assert rc == 0 and shown["fingerprint"] in out and shown["public_key"] in out
    pub = tmp_path / "学校公钥.pub"
    rc, out, _ = run(capsys, "key", "export-public", pub, "--data-dir", data)
    assert rc == 0 and pub.read_text().splitlines()[1] == shown["public_key"]
    rc, _, err = run(capsys, "key", "replace", "--data-dir", data)
    assert rc == 2 and "--yes" in err
    rc, out, _ = run(capsys, "key", "replace", "--yes", "--reason", "换电脑", "--json", "--data-dir", data)
    assert rc == 0
    replaced = json.loads(out)
    assert replaced["old"]["fingerprint"] == shown["fingerprint"]
    assert replaced["new"]["fingerprint"] != shown["fingerprint"]


def test_export_refuses_with_blocking_findings_then_allows(cli_school, capsys, usb):
    data, _ = cli_school
    rc, out, err = run(capsys, "export", usb, "--data-dir", data)
    assert rc == 2
    assert "必须处理" in err and "--allow-incomplete" in err and "  · " in err
    assert list(usb.iterdir()) == []
    rc, out, err = run(capsys, "export", usb, "--allow-incomplete", "--json", "--data-dir", data)
    assert rc == 0, err
    result = json.loads(out)
    assert result["allow_incomplete"] is True and result["blocking"] > 0
    assert Path(result["path"]).is_dir() and len(result["seal_code"]) == 39
    rc, out, err = run(capsys, "export", usb, "--allow-incomplete", "--zip", "--data-dir", data)
    assert rc == 0 and "封存码" in out and ".zip" in out and "不完整报送" in out


def test_verify_exit_codes_and_json(cli_school, capsys, usb, tmp_path):
    data, _ = cli_school
    rc, out, _ = run(capsys, "export", usb, "--allow-incomplete", "--json", "--data-dir", data)
    bag = Path(json.loads(out)["path"])
    pub = tmp_path / "registered.pub"
    run(capsys, "key", "export-public", pub, "--data-dir", data)

    rc, out, _ = run(capsys, "verify", bag)
    assert rc == 0
    assert "未登记" in out and "封存码" in out and "示例市实验小学" in out and "教师人数：40" in out
    rc, out, _ = run(capsys, "verify", bag, "--key", pub, "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["ok"] is True and doc["bags"][0]["signature"]["registered"] is True
    assert doc["bags"][0]["info"]["compliance"]["blocking"] > 0

    other = tmp_path / "other"
    run(capsys, "key", "export-public", tmp_path / "other.pub", "--data-dir", other)
    rc, out, _ = run(capsys, "verify", bag, "--key", tmp_path / "other.pub")
    assert rc == 1 and "登记" in out

    copy = tmp_path / bag.name
    shutil.copytree(bag, copy)
    victim = next(p for p in sorted((copy / "data" / "证据").rglob("*")) if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"x")
    rel = victim.relative_to(copy).as_posix()
    rc, out, _ = run(capsys, "verify", bag, copy, "--key", pub, "--json")
    assert rc == 1
    doc = json.loads(out)
    assert [b["ok"] for b in doc["bags"]] == [True, False]
    assert doc["bags"][1]["altered"] == [rel]
    rc, out, _ = run(capsys, "verify", copy, "--key", pub)
    assert rc == 1 and rel in out and "被改动的文件" in out


def test_verify_bad_key_argument_and_missing_path(capsys, tmp_path):
    rc, _, err = run(capsys, "verify", tmp_path, "--key", "不是公钥")
    assert rc == 2 and "--key" in err
    rc, out, _ = run(capsys, "verify", tmp_path / "nothing")
    assert rc == 1 and "找不到" in out


def test_verify_needs_no_data_folder(cli_school, capsys, usb, tmp_path, monkeypatch):
    data, _ = cli_school
    rc, out, _ = run(capsys, "export", usb, "--allow-incomplete", "--json", "--data-dir", data)
    bag = json.loads(out)["path"]
    empty = tmp_path / "district"
    rc, out, _ = run(capsys, "verify", bag, "--data-dir", empty)
    assert rc == 0 and not (empty / "tisheng.sqlite3").exists()   # no workspace opened
