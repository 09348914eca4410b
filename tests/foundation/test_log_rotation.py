"""The log file stays about 1 MB with five older ones, and a rename that fails loses no record."""

from __future__ import annotations

import logging
import os

import pytest

from app.services import logfile


@pytest.fixture
def small_log(tmp_path, monkeypatch):
    monkeypatch.setattr(logfile, "MAX_BYTES", 2_000)
    path = tmp_path / "logs" / "tisheng.log"
    handler = logfile.QuietFileHandler(path, delay=True)
    logger = logging.getLogger("test_log_rotation")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield path, logger
    logger.removeHandler(handler)
    handler.close()


def _lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_rotates_into_numbered_files_and_drops_the_oldest(small_log):
    path, logger = small_log
    for i in range(400):
        logger.info("记录 %04d %s", i, "x" * 60)
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["tisheng.log", *(f"tisheng.log.{i}" for i in range(1, 6))]
    for p in path.parent.iterdir():
        assert p.stat().st_size < 2_000 + 200           # one line past the limit at most
    newest = _lines(path)[-1]
    assert "记录 0399" in newest
    # the five older files hold the records just before the current one's, oldest in .5
    before = _lines(path.with_name("tisheng.log.1"))[-1]
    first_now = _lines(path)[0]
    assert int(before.split("记录 ")[1][:4]) + 1 == int(first_now.split("记录 ")[1][:4])


def test_a_refused_rename_keeps_every_record_in_the_current_file(small_log, monkeypatch):
    path, logger = small_log
    tries = []

    def refuse(src, dst):                               # Windows: another process has the file open
        tries.append(src)
        raise PermissionError(13, "另一个程序正在使用此文件")
    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "rename", refuse)
    for i in range(100):
        logger.info("记录 %04d %s", i, "x" * 60)
    lines = _lines(path)
    assert [int(x.split("记录 ")[1][:4]) for x in lines] == list(range(100))
    assert not path.with_name("tisheng.log.1").exists()
    # tried again only once the file has grown by the limit again, not at each record past it
    assert 1 <= len(tries) <= path.stat().st_size // 2_000
