"""release_free_memory never runs the cyclic collector on a worker thread while the window owns it."""

from __future__ import annotations

import gc
import threading

from app.services import memory


def _collections_during(fn) -> int:
    seen = []

    def callback(phase, info):
        if phase == "start":
            seen.append(threading.current_thread().name)

    gc.callbacks.append(callback)
    try:
        fn()
    finally:
        gc.callbacks.remove(callback)
    return len(seen)


def _on_worker() -> int:
    box = []
    t = threading.Thread(target=lambda: box.append(_collections_during(memory.release_free_memory)), name="job")
    t.start()
    t.join()
    return box[0]


def test_a_worker_thread_never_collects():
    # The window collects on its UI thread only (app/ui/main_thread_gc.py); an export job calling
    # this on a worker must not collect, whether or not automatic collection happens to be on
    # (it was on in a test process after an earlier window's event loop had ended: a segfault).
    was = gc.isenabled()
    try:
        for automatic in (False, True):
            (gc.enable if automatic else gc.disable)()
            assert _on_worker() == 0
            assert _collections_during(memory.release_free_memory) == 1      # the main thread does
    finally:
        (gc.enable if was else gc.disable)()
