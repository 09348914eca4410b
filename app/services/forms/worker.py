"""The forms layout process: lays out its part of a print run and saves it once sealed.

Started by sealjob as `python -m app.services.forms.worker`, or, in the frozen
program, as the program itself with `--forms-worker` (see installer/entry_*.py).
It talks to the exporter over its standard input and output, one pickled message
per frame (4-byte length, then the pickle):

    exporter → worker   ("job", FormSet, dest, kinds, pending SealInfo)   first
                        ("seal", SealInfo)                                 when known
                        ("stop",)                                          to cancel
    worker → exporter   ("ok", pages, warnings, forms) | ("error", exception)

It never opens the database and writes only `dest` (through `dest.partial`). It
stops when told to and when its input closes (the exporter ended or died). A plain
child process rather than multiprocessing: no resource-tracker process beside it,
no re-import of the parent's main module, and the frozen program needs no
multiprocessing support.
"""

from __future__ import annotations

import pickle
import struct
import sys
import threading
from typing import BinaryIO

from app.services.progress import Progress
from app.services.seal import SealInfo

WORKER_FLAG = "--forms-worker"
_HEADER = struct.Struct(">I")
_POLL = 0.2


def send(stream: BinaryIO, msg) -> None:
    write_frame(stream, frame(msg))


def frame(msg) -> bytes:
    """One message as it goes down the pipe (pickling errors are raised here)."""
    data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def write_frame(stream: BinaryIO, data: bytes) -> None:
    left = memoryview(data)
    while left:                                # an unbuffered stream may take part of it
        left = left[stream.write(left) or 0:]
    stream.flush()


def receive(stream: BinaryIO):
    """The next message, or None at the end of the stream."""
    head = _read_exactly(stream, _HEADER.size)
    if head is None:
        return None
    body = _read_exactly(stream, _HEADER.unpack(head)[0])
    return None if body is None else pickle.loads(body)


def _read_exactly(stream: BinaryIO, n: int) -> bytes | None:
    parts, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


class Stopped(Exception):
    """The exporter cancelled, or went away."""


class SealWait(Progress):
    """Where a layout learns its seal or that it must stop: `check()` raises Stopped once
    stopped, `wait_seal()` blocks until the seal is given (used by the worker and by the
    in-process fallback alike)."""

    def __init__(self) -> None:
        super().__init__(None)
        self._changed = threading.Event()
        self.seal: SealInfo | None = None
        self.stopped = False

    def give_seal(self, seal: SealInfo) -> None:
        self.seal = seal
        self._changed.set()

    def stop(self) -> None:
        self.stopped = True
        self._changed.set()

    def check(self) -> None:
        if self.stopped:
            raise Stopped()

    def wait_seal(self) -> SealInfo:
        while self.seal is None:
            self.check()
            self._changed.wait(_POLL)
        return self.seal


def _read_inbox(stream: BinaryIO, wait: SealWait) -> None:
    """The worker's reader thread: messages from the exporter until "stop" or the end."""
    try:
        while True:
            msg = receive(stream)
            if msg is None or msg[0] == "stop":
                break
            if msg[0] == "seal":
                wait.give_seal(msg[1])
    except (OSError, EOFError, pickle.UnpicklingError):
        pass
    wait.stop()


def run() -> int:
    """Entry point of the worker process."""
    # unbuffered input: the inbox thread may still be blocked reading it when the process
    # ends, and a buffered reader's lock would then abort the interpreter's shutdown
    # (descriptors 0 and 1 themselves: a windowed program may have no sys.stdin/sys.stdout)
    inp = open(0, "rb", buffering=0, closefd=False)
    out = open(1, "wb", buffering=0, closefd=False)
    sys.stdout = sys.stderr                    # a stray print must not corrupt the replies
    # reportlab and the fonts are loaded before the job arrives: a worker started early (see
    # sealjob.warm_worker) is ready by the time the exporter has gathered the forms' data
    failed = None
    try:
        from app.services.forms.fonts import register_fonts
        from app.services.forms.part import write_part
        from app.services.memory import release_free_memory
        register_fonts()                       # parsing the fonts leaves ~15 MB of garbage behind
        release_free_memory()
    except Exception as exc:  # noqa: BLE001  (reported once the job arrives, as any other failure)
        failed = exc
    job = receive(inp)
    if job is None or job[0] != "job":
        return 2
    _tag, fs, dest, kinds, pending = job
    forms = [fs]                               # render empties it: each form's data freed once laid out
    del job, fs
    inbox = SealWait()
    threading.Thread(target=_read_inbox, args=(inp, inbox), name="forms-inbox", daemon=True).start()
    try:
        if failed is not None:
            raise failed
        reply = ("ok", *write_part(forms, dest, kinds, pending, inbox.wait_seal, inbox))
    except Stopped:
        return 0
    except BaseException as exc:  # noqa: BLE001  (reported to the exporter, which raises it)
        try:
            pickle.dumps(exc)
            reply = ("error", exc)
        except Exception:  # noqa: BLE001  (an exception that does not pickle)
            reply = ("error", RuntimeError(f"{type(exc).__name__}: {exc}"))
    try:
        send(out, reply)
    except OSError:
        return 1
    return 0


def main() -> None:
    """run(), then end without the interpreter's teardown (app/process_end.py): by then the reply
    is sent and the PDF written and closed, and the exporter waits for the process to end."""
    from app.process_end import end_process
    end_process(run())


if __name__ == "__main__":
    main()
