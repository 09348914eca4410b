"""A plain `tisheng [--data-dir D] [--demo] [--json]` opens the window without building the whole
parser (app.cli.main.window_only); it must read those arguments exactly as the parser does, and
leave everything else to it."""

from __future__ import annotations

import pytest

from app.cli.main import build_parser, window_only

WINDOW_STARTS = [[], ["--data-dir", "/学校/数据"], ["--data-dir=/x y"], ["--demo"], ["--json"],
                 ["--demo", "--data-dir", "d1", "--data-dir", "d2"], ["--json", "--demo", "--data-dir=D"]]
NOT_WINDOW_STARTS = [["--help"], ["-h"], ["--version"], ["teachers", "list"], ["gui"], ["gui", "--demo"],
                     ["--data-dir"], ["--data-dir", "--demo"], ["--data-dir="], ["--data", "D"], ["--dem"],
                     ["--data-dir", "D", "import", "x.xlsx"], ["-x"], ["D"]]


@pytest.mark.parametrize("argv", WINDOW_STARTS, ids=" ".join)
def test_a_window_start_reads_like_the_parser(argv):
    assert vars(window_only(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", NOT_WINDOW_STARTS, ids=" ".join)
def test_anything_else_goes_to_the_parser(argv):
    assert window_only(argv) is None
