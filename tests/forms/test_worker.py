"""The layout worker's pipe protocol, and a worker whose exporter goes away."""

from __future__ import annotations

import io
import subprocess
import time

from app.services.forms.dto import KINDS
from app.services.forms.sealjob import worker_command
from app.services.forms.worker import receive, send

from .samples import SEAL, demo_set


class _Trickle(io.RawIOBase):
    """A pipe that takes at most 7 bytes a write."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.buf += bytes(b[:7])
        return min(7, len(b))


def test_messages_survive_partial_writes_and_reads():
    out = _Trickle()
    send(out, ("ok", 3, ("注意",), tuple(range(500))))
    send(out, ("seal", SEAL))
    stream = io.BufferedReader(io.BytesIO(bytes(out.buf)), buffer_size=5)
    assert receive(stream) == ("ok", 3, ("注意",), tuple(range(500)))
    assert receive(stream) == ("seal", SEAL)
    assert receive(stream) is None
    assert receive(io.BytesIO(bytes(out.buf[:9]))) is None       # cut off mid-message


def test_a_worker_whose_exporter_goes_away_stops_and_writes_nothing(tmp_path):
    dest = tmp_path / "forms.pdf"
    proc = subprocess.Popen(worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    send(proc.stdin, ("job", demo_set(30), str(dest), KINDS, SEAL))
    time.sleep(1.0)                              # it is laying out, waiting for the seal
    proc.stdin.close()                           # the exporter died
    assert proc.wait(30) == 0
    assert proc.stdout.read() == b""             # no reply, no PDF
    proc.stdout.close()
    assert list(tmp_path.iterdir()) == []


def test_a_worker_given_the_seal_replies_with_its_pages(tmp_path):
    dest = tmp_path / "forms.pdf"
    proc = subprocess.Popen(worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    send(proc.stdin, ("job", demo_set(3), str(dest), KINDS, SEAL))
    send(proc.stdin, ("seal", SEAL))
    reply = receive(proc.stdout)
    proc.stdin.close()
    assert proc.wait(30) == 0
    proc.stdout.close()
    assert reply[0] == "ok" and reply[1] >= 5
    assert [title for title, _first, _n in reply[3]][:2] == ["学校汇总确认表", "教师个人签字确认表 · 欧阳晓燕"]
    assert dest.is_file() and dest.stat().st_size > 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forms.pdf"]
