"""The six presets as data: each rule has a source, district rules quote their document verbatim."""

from __future__ import annotations

import json
import re

import pytest

from app.cli.main import main
from app.errors import ValidationError
from app.services.programmes import check_programme, list_presets, load_preset, preset_ids
from app.services.programmes.presets import source_text
from app.services.programmes.schema import BY_KEY

PRESETS = preset_ids()


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_six_presets_one_per_source_document_and_a_national_default():
    assert PRESETS[0] == "national-2.0" and len(PRESETS) == 6
    files = {p.source_file for p in list_presets()}
    assert files == {None, "000_d20917b3597b35dc.txt", "001_92bbd1ba46120a34.txt", "002_a970310a57472395.txt",
                     "003_8b19ed14a5b800c5.txt", "004_22eabaaa19ad9b29.txt"}


@pytest.mark.parametrize("pid", PRESETS)
def test_every_rule_carries_a_source(pid):
    doc = load_preset(pid)
    for key, rule in doc["rules"].items():
        assert key in BY_KEY
        assert rule["source"].strip(), f"{pid}: {key} has no source"
        assert rule["origin"] in ("district", "national", "app")


@pytest.mark.parametrize("pid", [p for p in PRESETS if p != "national-2.0"])
def test_district_rules_quote_their_document_word_for_word(pid):
    doc = load_preset(pid)
    text = _plain(source_text(doc["document"]["file"]))
    assert len(text) > 1500
    quotes = []
    for key, rule in doc["rules"].items():
        if rule["origin"] != "district":
            continue
        quotes.append((key, rule["source"]))
        if isinstance(rule["value"], list):
            quotes += [(key, el["source"]) for el in rule["value"] if isinstance(el, dict) and el.get("source")]
    assert quotes
    missing = [(k, q) for k, q in quotes if _plain(q) not in text]
    assert missing == []


def test_the_national_default_claims_no_district_sentence():
    assert {r["origin"] for r in load_preset("national-2.0")["rules"].values()} <= {"national", "app"}


@pytest.mark.parametrize("pid", PRESETS)
def test_a_preset_passes_the_same_check_as_an_imported_file(pid):
    assert check_programme(load_preset(pid)) == load_preset(pid)


def test_a_broken_programme_names_the_rule_in_chinese():
    doc = load_preset("wafangdian-2023")
    doc["rules"]["hours.total_min"]["value"] = "五十"
    with pytest.raises(ValidationError) as exc:
        check_programme(doc)
    assert "总学时下限" in exc.value.user_message and "hours.total_min" in exc.value.user_message
    doc = load_preset("xuhui-2021")
    doc["rules"]["hours.topics"]["value"][0]["category"] = "不存在的类别"
    with pytest.raises(ValidationError) as exc:
        check_programme(doc)
    assert "不存在的类别" in exc.value.user_message


@pytest.mark.parametrize("pid", PRESETS)
def test_programme_show_json_prints_every_rule_with_its_source(capsys, tmp_path, pid):
    d = ["--data-dir", str(tmp_path / "d")]
    assert main([*d, "init", "--name", "甲校", "--code", "A1", "--environment", "混合", "--programme", pid]) == 0
    capsys.readouterr()
    assert main([*d, "programme", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    preset = load_preset(pid)
    assert [r["key"] for r in shown["rules"]] and {r["key"] for r in shown["rules"]} == set(preset["rules"])
    for r in shown["rules"]:
        assert r["source"] == preset["rules"][r["key"]]["source"]
        assert r["basis"] and r["text"] and r["label"] and not r["changed"]
    assert shown["adjusted"] is False and shown["applied_hash"] == shown["preset_hash"]


def test_the_source_document_is_shipped_and_shown(capsys, tmp_path):
    d = ["--data-dir", str(tmp_path / "d")]
    main([*d, "init", "--name", "甲校", "--code", "A1", "--environment", "混合", "--programme", "ningde-2016"])
    capsys.readouterr()
    assert main([*d, "programme", "document"]) == 0
    out = capsys.readouterr().out
    assert "距退休不满五年的教师不作培训要求" in out and "宁德市中小学教师信息技术应用能力提升工程培训实施方案" in out


def test_the_manual_explains_each_preset_with_its_sources():
    """docs/用户手册.md holds the chapter tools/manual_programmes.py writes from the presets."""
    import importlib.util
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent.parent
    spec = importlib.util.spec_from_file_location("manual_programmes", root / "tools" / "manual_programmes.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    manual = (root / "docs" / "用户手册.md").read_text(encoding="utf-8")
    assert tool.chapter() in manual, "run: python tools/manual_programmes.py --write"
    for pid in PRESETS:
        for rule in load_preset(pid)["rules"].values():
            if rule["origin"] == "district":
                assert rule["source"] in manual
    assert "tisheng programme set" in manual and "导出方案文件" in manual


def test_every_rule_kind_has_a_form_in_the_window():
    from app.services.programmes.fields import FORMS
    assert set(FORMS) == set(BY_KEY)
