"""The app works with no network at all, and never opens a network socket.

1. In-process: every internet socket creation raises, then a whole year runs through the CLI.
2. Out-of-process: the same commands inside a fresh network namespace (`unshare -rn`), where
   there is no network interface but loopback; skipped with the reason where that is not permitted.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from app.cli.main import main
from tests.foundation.school_builder import valid_id

pytestmark = pytest.mark.slow

COMMANDS = [
    ["demo"],
    ["template", "roster", "{tmp}/花名册.xlsx"],
    ["import", "roster", "{tmp}/花名册.xlsx"],
    ["check", "--json"],
    ["report", "{tmp}/汇总.xlsx"],
    ["forms", "{tmp}/签字确认表.pdf"],
    ["export", "{tmp}/out", "--allow-incomplete"],
]


def _fill_roster(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = next(s for s in wb.worksheets if s.title != "说明" and s.sheet_state == "visible")
    header_row = next(r for r in range(1, 10) if any(c.value == "姓名" for c in ws[r]))
    cols = {c.value: c.column for c in ws[header_row] if c.value}
    row = ws.max_row + 1
    ws.cell(row, cols["姓名"], "新来的老师")
    id_col = next(v for k, v in cols.items() if "身份证" in k)
    ws.cell(row, id_col, valid_id("11010519920202002"))
    wb.save(path)


def _expected(code: int, cmd: list[str]) -> bool:
    return code == 0 or (cmd[0] == "check" and code == 1)


def test_whole_year_with_internet_sockets_forbidden(tmp_path, monkeypatch, capsys):
    real_socket = socket.socket

    class NoNetwork(real_socket):
        def __init__(self, family=socket.AF_INET, *args, **kwargs):
            if family in (socket.AF_INET, socket.AF_INET6):
                raise AssertionError("the app tried to open a network socket")
            super().__init__(family, *args, **kwargs)

    monkeypatch.setattr(socket, "socket", NoNetwork)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("the app tried to connect to the network")))
    data = tmp_path / "data"
    (tmp_path / "out").mkdir()              # the USB stick: export asks for an existing folder
    for cmd in COMMANDS:
        args = [a.format(tmp=tmp_path) for a in cmd]
        code = main(["--data-dir", str(data), *args])
        out = capsys.readouterr()
        assert _expected(code, cmd), (cmd, code, out.err)
        if cmd[:2] == ["template", "roster"]:
            _fill_roster(tmp_path / "花名册.xlsx")
    bag = next(p for p in (tmp_path / "out").iterdir() if p.is_dir())
    assert main(["verify", str(bag)]) == 0


def _unshare_works() -> str | None:
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    probe = subprocess.run(["unshare", "-rn", sys.executable, "-c", "print(1)"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"unshare -rn not permitted here: {probe.stderr.strip()[:120]}"
    return None


def test_whole_year_inside_a_network_namespace(tmp_path):
    reason = _unshare_works()
    if reason:
        pytest.skip(reason)
    ifaces = subprocess.run(["unshare", "-rn", sys.executable, "-c",
                             "import socket; print([n for _, n in socket.if_nameindex()])"],
                            capture_output=True, text=True).stdout
    assert ifaces.strip() in ("['lo']", "[]"), ifaces
    data = tmp_path / "data"
    (tmp_path / "out").mkdir()              # the USB stick: export asks for an existing folder
    for cmd in COMMANDS:
        args = [a.format(tmp=tmp_path) for a in cmd]
        p = subprocess.run(["unshare", "-rn", sys.executable, "-m", "app", "--data-dir", str(data), *args],
                           capture_output=True, text=True, timeout=600)
        assert _expected(p.returncode, cmd), (cmd, p.returncode, p.stderr[-2000:])
        if cmd[:2] == ["template", "roster"]:
            _fill_roster(tmp_path / "花名册.xlsx")
    bag = next(p for p in (tmp_path / "out").iterdir() if p.is_dir())
    p = subprocess.run(["unshare", "-rn", sys.executable, "-m", "app", "verify", str(bag)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
