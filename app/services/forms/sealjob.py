"""Sign-off forms for a bundle, laid out before the bundle's seal is known.

The seal code is the SHA-256 of the manifest, which needs the summary workbook and
bundle.json first; laying out a 1,000-teacher print run takes far longer than either.
Nothing in the layout depends on the seal (it is printed from one form XObject that
every page references), so the exporter starts the layout at once and hands the seal
over when it has it (`FormsJob.seal`); only then is the PDF saved.

reportlab is pure Python and holds the GIL, so the layout runs in a child process
(the second core), started with 'spawn' and given the forms' data (FormSet, plain
frozen dataclasses): the child never opens the database. It writes only the file it
is given (through `<file>.partial`), and stops when told to, when the pipe to the
exporter closes, or when the exporter dies. In a frozen build (no multiprocessing
entry point) or when a process cannot be started, the same job runs in a thread.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
from pathlib import Path

from app.errors import AppError, CancelledError, StorageError
from app.services.progress import NO_PROGRESS, Progress
from app.services.seal import SealInfo

log = logging.getLogger(__name__)

_POLL = 0.2


class _Stop(Exception):
    """The exporter cancelled the job, or went away."""


def _write(fs, dest: str, kinds, pending: SealInfo, seal_later, progress: Progress):
    from app.services.forms.render import render
    tmp = dest + ".partial"
    try:
        with open(tmp, "wb") as fh:
            result = render(fs, fh, kinds=kinds, seal=pending, seal_later=seal_later, progress=progress)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return result.pages, tuple(result.warnings)


class _ChildProgress(Progress):
    """In the child: a cancel, a closed pipe or a dead parent stops the layout."""

    def __init__(self, conn, ppid: int) -> None:
        super().__init__(None)
        self._conn, self._ppid = conn, ppid
        self.pending_seal: SealInfo | None = None

    def check(self) -> None:
        if os.getppid() != self._ppid:
            raise _Stop()
        try:
            while self._conn.poll(0):
                msg = self._conn.recv()
                if msg[0] == "seal":
                    self.pending_seal = msg[1]
                else:
                    raise _Stop()
        except (EOFError, OSError):
            raise _Stop() from None

    def wait_seal(self) -> SealInfo:
        while self.pending_seal is None:
            self.check()
            if self.pending_seal is None:
                try:
                    self._conn.poll(_POLL)
                except (EOFError, OSError):
                    raise _Stop() from None
        return self.pending_seal


def child_main(conn, fs, dest: str, kinds, pending: SealInfo, ppid: int) -> None:
    """Entry point of the layout process (module level, importable: 'spawn'-safe)."""
    progress = _ChildProgress(conn, ppid)
    try:
        pages, warnings = _write(fs, dest, kinds, pending, progress.wait_seal, progress)
        conn.send(("ok", pages, warnings))
    except _Stop:
        pass
    except BaseException as exc:  # noqa: BLE001  (reported to the exporter, which raises it)
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001  (an exception that does not pickle)
            try:
                conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
            except (OSError, EOFError):
                pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def use_process() -> bool:
    """A frozen build has no multiprocessing entry point of its own: use a thread there."""
    if getattr(sys, "frozen", False):
        return False
    return os.environ.get("TISHENG_FORMS_PROCESS", "1") != "0"


class FormsJob:
    """Lays out the forms now; `seal()` hands over the seal, `wait()` returns the PDF."""

    def __init__(self, fs, dest: Path, kinds, pending: SealInfo, *, process: bool | None = None) -> None:
        self.dest = Path(dest)
        self.pages = 0
        self.warnings: tuple[str, ...] = ()
        self._proc = None
        self._thread = None
        self._done = False
        if process is None:
            process = use_process()
        if process:
            try:
                self._start_process(fs, kinds, pending)
                return
            except (OSError, RuntimeError) as exc:
                log.warning("could not start the forms layout process (%s); using a thread", exc)
        self._start_thread(fs, kinds, pending)

    # ------------------------------------------------------------------ process
    def _start_process(self, fs, kinds, pending: SealInfo) -> None:
        import multiprocessing
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=child_main, args=(child, fs, str(self.dest), kinds, pending, os.getpid()),
                           name="tisheng-forms", daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent

    # ------------------------------------------------------------------ thread
    def _start_thread(self, fs, kinds, pending: SealInfo) -> None:
        self._seal_q: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._outcome: list = []
        job = self

        class _ThreadProgress(Progress):
            def __init__(self) -> None:
                super().__init__(None)

            def check(self) -> None:
                if job._stop.is_set():
                    raise _Stop()

        tp = _ThreadProgress()

        def seal_later() -> SealInfo:
            while True:
                tp.check()
                try:
                    return self._seal_q.get(timeout=_POLL)
                except queue.Empty:
                    continue

        def run() -> None:
            try:
                self._outcome.append(("ok", *_write(fs, str(self.dest), kinds, pending, seal_later, tp)))
            except _Stop:
                self._outcome.append(("stopped",))
            except BaseException as exc:  # noqa: BLE001
                self._outcome.append(("error", exc))

        self._thread = threading.Thread(target=run, name="tisheng-forms", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ both
    def seal(self, seal: SealInfo) -> None:
        if self._proc is not None:
            try:
                self._conn.send(("seal", seal))
            except (OSError, EOFError):
                pass                           # wait() reports why the child is gone
        else:
            self._seal_q.put(seal)

    def wait(self, progress: Progress = NO_PROGRESS) -> Path:
        """Block until the PDF is written; raises what the layout raised (cancels with progress)."""
        msg = self._wait_process(progress) if self._proc is not None else self._wait_thread(progress)
        self._done = True
        if msg[0] == "ok":
            self.pages, self.warnings = msg[1], tuple(msg[2])
            for w in self.warnings:
                log.warning("forms: %s", w)
            return self.dest
        if msg[0] == "error":
            exc = msg[1]
            if isinstance(exc, (AppError, OSError, CancelledError)):
                raise exc
            raise StorageError("生成签字确认表失败，报送包未导出。") from exc
        raise StorageError("签字确认表的排版意外中止，报送包未导出。请重试。")

    def _wait_process(self, progress: Progress):
        try:
            while True:
                progress.check()
                try:
                    if self._conn.poll(_POLL):
                        return self._conn.recv()
                except (EOFError, OSError):
                    return ("gone",)
                if not self._proc.is_alive() and not self._conn.poll(0):
                    return ("gone",)
        except BaseException:
            self.cancel()
            raise
        finally:
            if self._proc is not None and not self._proc.is_alive():
                self._proc.join()

    def _wait_thread(self, progress: Progress):
        try:
            while self._thread.is_alive():
                progress.check()
                self._thread.join(_POLL)
        except BaseException:
            self.cancel()
            raise
        return self._outcome[0] if self._outcome else ("gone",)

    def cancel(self) -> None:
        """Stop the layout and wait for it to end (it never outlives the export)."""
        if self._proc is not None:
            try:
                self._conn.send(("stop",))
            except (OSError, EOFError):
                pass
            self._proc.join(2)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
            try:
                self._conn.close()
            except OSError:
                pass
        elif self._thread is not None:
            self._stop.set()
            self._thread.join()
        partial = self.dest.with_name(self.dest.name + ".partial")
        for p in (partial,) if self._done else (partial, self.dest):
            try:
                p.unlink()
            except OSError:
                pass

    def close(self) -> None:
        if self._proc is not None:
            try:
                self._conn.close()
            except OSError:
                pass
            self._proc.join(5)
