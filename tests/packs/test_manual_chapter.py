"""The user manual's 教学点 chapter: there, with its pictures (the sheet among them) and every pack command."""

from __future__ import annotations

import re
from pathlib import Path

from app.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _chapter() -> str:
    text = (ROOT / "docs" / "用户手册.md").read_text(encoding="utf-8")
    start = text.index("## 十、教学点：用U盘离线采集（采集包）")
    end = text.find("\n## ", start + 5)
    return text[start:end if end > 0 else None]


def test_the_chapter_shows_its_pictures_and_the_instruction_sheet():
    chapter = _chapter()
    images = re.findall(r"\]\((images/[^)]+)\)", chapter)
    assert "images/manual/采集包说明页.png" in images and len(images) >= 4
    for rel in images:
        assert (ROOT / "docs" / rel).is_file(), rel


def test_the_chapter_names_every_pack_command():
    parser = build_parser()
    pack = parser._subparsers._group_actions[0].choices["pack"]
    actions = pack._subparsers._group_actions[0].choices
    chapter = _chapter()
    for name in actions:
        assert re.search(rf"`{name}`|pack {name}", chapter), name
