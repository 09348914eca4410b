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


def test_a_worker_thread_does_not_collect_when_automatic_collection_is_off():
    # The window turns automatic collection off and collects on its UI thread only
    # (app/ui/main_thread_gc.py); an export job calling this on a worker must not collect.
    was = gc.isenabled()
    gc.disable()
    try:
        assert _on_worker() == 0
        assert _collections_during(memory.release_free_memory) == 1      # the main thread still does
    finally:
        if was:
            gc.enable()


def test_with_automatic_collection_on_any_thread_collects():
    was = gc.isenabled()
    gc.enable()
    try:
        assert _on_worker() == 1
    finally:
        if not was:
            gc.disable()
