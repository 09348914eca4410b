"""Sign-off forms for a bundle, laid out before the bundle's seal is known.

The seal code is the SHA-256 of the manifest, which needs the summary workbook and
bundle.json first; laying out a 1,000-teacher print run takes far longer than either.
Nothing in the layout depends on the seal (it is printed from one form XObject that
every page references), so the exporter starts the layout at once and hands the seal
over when it has it (`FormsJob.seal`); only then is the PDF saved.

reportlab is pure Python and holds the GIL, so the layout runs in child processes
(forms/worker.py) given the forms' data (FormSet, plain frozen dataclasses): a child
never opens the database. The exporter starts the first one at once (WarmWorker), so
it has loaded reportlab and the fonts by the time the data is gathered. On a machine
with cores to spare a mid-sized school's print run is cut into two parts
(forms/split.py) laid out at once and joined when both are saved (forms/merge.py); on
two cores the exporter's own copying and workbook need the second one. Each child
writes only the file it is given (through `<file>.partial`), and stops when told
to, when the pipe to the exporter closes, or when the exporter dies. When a process
cannot be started, the same job runs in a thread, in one part.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import threading
import weakref
from pathlib import Path

from app.errors import AppError, CancelledError, StorageError
from app.services.forms.merge import PartForms, join_parts
from app.services.forms.part import write_part
from app.services.forms.split import split_formset
from app.services.forms.worker import WORKER_FLAG, SealWait, Stopped, frame, receive, send, write_frame
from app.services.progress import NO_PROGRESS, Progress
from app.services.seal import SealInfo

log = logging.getLogger(__name__)

_POLL = 0.2


def use_process() -> bool:
    """Child processes, unless TISHENG_FORMS_PROCESS=0."""
    return os.environ.get("TISHENG_FORMS_PROCESS", "1") != "0"


def worker_command() -> list[str]:
    """How to start a layout process: the frozen program with a flag, or this Python.

    The windowed program starts the console one beside it (tisheng-cli), whose standard
    input and output are always there, without a window (CREATE_NO_WINDOW)."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        cli = exe.with_name("tisheng-cli" + exe.suffix)
        return [str(cli if cli.is_file() else exe), WORKER_FLAG]
    return [sys.executable, "-m", "app.services.forms.worker"]


def layout_parts() -> int:
    """How many processes lay out a large print run (TISHENG_FORMS_PARTS overrides): two
    when the machine has two cores to spare beside the exporter's own copying and summary
    workbook, else one (on two cores a second layout process only took CPU time from them,
    and cost a join of the parts). Memory: each holds the fonts and its share; split.py
    keeps the largest schools in one part."""
    env = os.environ.get("TISHENG_FORMS_PARTS", "")
    if env.isdigit() and int(env) > 0:
        return min(int(env), 4)
    return 2 if (os.cpu_count() or 1) >= 4 else 1


_LIVE: "weakref.WeakSet[_Child]" = weakref.WeakSet()


def live_workers() -> int:
    """Layout processes still running (none may outlive an export)."""
    return sum(1 for c in list(_LIVE) if c.proc.poll() is None)


def _spawn() -> subprocess.Popen:
    import app
    env = dict(os.environ)
    root = str(Path(app.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    return subprocess.Popen(worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL if getattr(sys, "frozen", False) else None,
                            env=env, creationflags=flags)


def _end(proc: subprocess.Popen, wait: float) -> None:
    try:
        proc.stdin.close()
    except OSError:
        pass
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    try:
        proc.stdout.close()
    except OSError:
        pass


class WarmWorker:
    """A layout process started before its job exists, at the start of an export.

    It loads reportlab and the fonts while the exporter reads the school, so the layout
    starts at once; and it is started while the exporter is still small (on Linux a
    child begins as a copy of its parent, which a process-tree memory sample counts
    twice). `take()` gives its process to the forms job; `close()` ends it if nobody
    took it (the export failed or was cancelled first)."""

    def __init__(self) -> None:
        self.proc = _spawn()
        self._taken = False
        _LIVE.add(self)

    def take(self) -> subprocess.Popen | None:
        if self._taken or self.proc.poll() is not None:
            return None
        self._taken = True
        return self.proc

    def close(self) -> None:
        """End the process if no job took it (the export was refused, failed or cancelled
        first). It has been given nothing and writes nothing, so it is killed at once rather
        than waited for: it would notice its closed input only once reportlab has loaded."""
        if not self._taken:
            self._taken = True
            try:
                self.proc.kill()
            except OSError:
                pass
            _end(self.proc, 2)


def warm_worker() -> WarmWorker | None:
    """A layout process started now for a forms job to come (None: layout runs in a thread)."""
    if not use_process():
        return None
    try:
        return WarmWorker()
    except (OSError, RuntimeError) as exc:
        log.warning("could not start the forms layout process early (%s)", exc)
        return None


class _Child:
    """One layout process (forms/worker.py): its part of the forms, written to `dest`.

    The job goes down the pipe on a thread of its own: a job larger than the pipe holds
    would otherwise keep the exporter waiting until the worker has loaded reportlab and
    the fonts and reads it (0.3 s of a small export, before its copying could start).
    Later messages wait for it (`_sending`), so the worker always gets the job first."""

    def __init__(self, fs, dest: Path, kinds, pending: SealInfo, proc: subprocess.Popen | None = None) -> None:
        self.dest = dest
        self.outcome = None
        self._replies: queue.Queue = queue.Queue()
        job = frame(("job", fs, str(dest), kinds, pending))      # a job that does not pickle fails here
        self.proc = proc if proc is not None else _spawn()
        _LIVE.add(self)
        self._sending = threading.Lock()
        self._job_sent = threading.Event()
        self._sending.acquire()
        threading.Thread(target=self._send_job, args=(job,), name="forms-job", daemon=True).start()
        threading.Thread(target=self._read, name="forms-replies", daemon=True).start()

    def _send_job(self, job: bytes) -> None:
        try:
            write_frame(self.proc.stdin, job)
        except (OSError, ValueError):
            pass                               # poll() reports why the worker is gone
        finally:
            self._job_sent.set()
            self._sending.release()

    def _read(self) -> None:
        try:
            msg = receive(self.proc.stdout)
        except Exception:  # noqa: BLE001  (a reply that does not unpickle: the worker failed)
            msg = None
        self._replies.put(msg if msg is not None else ("gone",))

    def send(self, msg) -> None:
        with self._sending:
            try:
                send(self.proc.stdin, msg)
            except (OSError, ValueError):
                pass                           # poll() reports why the worker is gone

    def poll(self, timeout: float):
        """The worker's last word, or None while it is still working."""
        if self.outcome is None:
            try:
                self.outcome = self._replies.get(timeout=timeout) if timeout else self._replies.get_nowait()
            except queue.Empty:
                pass
        return self.outcome

    def stop(self) -> None:
        if not self._job_sent.is_set():
            # still loading, its job not yet taken: it has written nothing, so it is ended at once
            # (its job's sender then fails and lets go) rather than waited for
            try:
                self.proc.kill()
            except OSError:
                pass
        self.send(("stop",))

    def end(self, wait: float) -> None:
        _end(self.proc, wait)


class FormsJob:
    """Lays out the forms now; `seal()` hands over the seal, `wait()` returns the PDF."""

    def __init__(self, fs, dest: Path, kinds, pending: SealInfo, *, process: bool | None = None,
                 parts: int | None = None, warm: WarmWorker | None = None) -> None:
        self.dest = Path(dest)
        self.pages = 0
        self.warnings: tuple[str, ...] = ()
        self._children: list[_Child] = []
        self._thread = None
        self._done = False
        if process is None:
            process = use_process()
        if process:
            pieces = split_formset(fs, layout_parts() if parts is None else parts)
            try:
                self._start_processes(pieces, kinds, pending, warm)
                return
            except (OSError, RuntimeError) as exc:
                log.warning("could not start the forms layout process (%s); using a thread", exc)
                self._stop_children()
        self._start_thread(fs, kinds, pending)

    def _part_paths(self, n: int) -> list[Path]:
        if n == 1:
            return [self.dest]
        return [self.dest.with_name(f"{self.dest.stem}.part{i + 1}{self.dest.suffix}") for i in range(n)]

    # ------------------------------------------------------------------ processes
    def _start_processes(self, pieces, kinds, pending: SealInfo, warm: WarmWorker | None = None) -> None:
        for piece, path in zip(pieces, self._part_paths(len(pieces))):
            proc = warm.take() if warm is not None else None
            self._children.append(_Child(piece, path, kinds, pending, proc))

    def _stop_children(self) -> None:
        for c in self._children:
            c.stop()
        for c in self._children:
            c.end(2)

    # ------------------------------------------------------------------ thread
    def _start_thread(self, fs, kinds, pending: SealInfo) -> None:
        self._children = []
        self._wait = wait = SealWait()
        self._outcome: list = []

        def run() -> None:
            try:
                self._outcome.append(("ok", *write_part(fs, str(self.dest), kinds, pending, wait.wait_seal, wait)))
            except Stopped:
                self._outcome.append(("stopped",))
            except BaseException as exc:  # noqa: BLE001
                self._outcome.append(("error", exc))

        self._thread = threading.Thread(target=run, name="tisheng-forms", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ both
    def seal(self, seal: SealInfo) -> None:
        if self._children:
            for c in self._children:
                c.send(("seal", seal))
        else:
            self._wait.give_seal(seal)

    def wait(self, progress: Progress = NO_PROGRESS) -> Path:
        """Block until the PDF is written; raises what the layout raised (cancels with progress)."""
        try:
            msgs = self._wait_processes(progress) if self._children else [self._wait_thread(progress)]
            bad = next((m for m in msgs if m[0] == "error"), None) or next((m for m in msgs if m[0] != "ok"), None)
            if bad is None and len(msgs) > 1:
                parts = [PartForms(c.dest, m[1], tuple(m[3])) for c, m in zip(self._children, msgs)]
                try:
                    join_parts(parts, self.dest)
                except (ValueError, OSError) as exc:
                    bad = ("error", exc if isinstance(exc, OSError) else RuntimeError(str(exc)))
                else:
                    self._remove(c.dest for c in self._children)
        except BaseException:
            self.cancel()
            raise
        if bad is not None:
            self.cancel()
            self._done = True
            if bad[0] == "error":
                exc = bad[1]
                if isinstance(exc, (AppError, OSError, CancelledError)):
                    raise exc
                raise StorageError("生成签字确认表失败，报送包未导出。") from exc
            raise StorageError("签字确认表的排版意外中止，报送包未导出。请重试。")
        self._done = True
        self.pages = sum(m[1] for m in msgs)
        self.warnings = tuple(w for m in msgs for w in m[2])
        for w in self.warnings:
            log.warning("forms: %s", w)
        return self.dest

    def _wait_processes(self, progress: Progress) -> list:
        while True:
            progress.check()
            pending = [c for c in self._children if c.poll(0) is None]
            if not pending:
                return [c.outcome for c in self._children]
            if any(c.outcome[0] != "ok" for c in self._children if c.outcome is not None):
                return [c.outcome or ("stopped",) for c in self._children]
            pending[0].poll(_POLL)

    def _wait_thread(self, progress: Progress):
        while self._thread.is_alive():
            progress.check()
            self._thread.join(_POLL)
        return self._outcome[0] if self._outcome else ("gone",)

    def cancel(self) -> None:
        """Stop the layout and wait for it to end (it never outlives the export)."""
        if self._children:
            self._stop_children()
        elif self._thread is not None:
            self._wait.stop()
            self._thread.join()
        paths = [c.dest for c in self._children if c.dest != self.dest]
        if not self._done:
            paths.append(self.dest)
        self._remove(paths + [p.with_name(p.name + ".partial") for p in paths + [self.dest]])

    @staticmethod
    def _remove(paths) -> None:
        for p in paths:
            try:
                p.unlink()
            except OSError:
                pass

    def close(self) -> None:
        for c in self._children:
            c.end(5)
