"""The hashing half of the export and verify baselines: the faster of two independent hashers.

Python's hashlib (bench/baselines/hash_files.py, a fresh process) and `openssl dgst -sha256`
both hash the same files; each is timed, both times are printed, and the faster is the
baseline (coreutils `sha256sum` is about three times slower than either on this machine, so
it is not used).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import drop_cache

HERE = Path(__file__).resolve().parent


def files_under(folder: Path) -> list[str]:
    return sorted(str(p) for p in Path(folder).rglob("*") if p.is_file())


def _hashlib(files: list[str]) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as lst:
        lst.write("\n".join(files) + "\n")
    try:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "baselines" / "hash_files.py"), lst.name], check=True,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0
    finally:
        Path(lst.name).unlink()


def _openssl(files: list[str]) -> float:
    t0 = time.perf_counter()
    for i in range(0, len(files), 500):
        subprocess.run(["openssl", "dgst", "-sha256", *files[i:i + 500]], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def hash_time(files: list[str], cold_from: Path | None = None) -> tuple[float, dict[str, float]]:
    """(the faster hasher's seconds, {hasher: seconds}). With cold_from, that folder is dropped
    from the page cache before each hasher runs."""
    times = {}
    hashers = {"hashlib": _hashlib}
    if shutil.which("openssl"):
        hashers["openssl"] = _openssl
    for name, fn in hashers.items():
        if cold_from is not None:
            drop_cache(cold_from)
        times[name] = fn(files)
    return min(times.values()), times


def describe(times: dict[str, float]) -> str:
    best = min(times, key=times.get)
    return ", ".join(f"{k} {v:.2f}s" for k, v in times.items()) + f" → {best}"
