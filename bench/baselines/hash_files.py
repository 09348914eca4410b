"""Baseline: SHA-256 of every file listed (one path a line in the file given), with hashlib.

    python bench/baselines/hash_files.py LIST
"""

import hashlib
import sys

BUF = 1024 * 1024


def main() -> None:
    buf = bytearray(BUF)
    view = memoryview(buf)
    with open(sys.argv[1], encoding="utf-8") as lst:
        paths = [line.rstrip("\n") for line in lst if line.strip()]
    for path in paths:
        h = hashlib.sha256()
        with open(path, "rb", buffering=0) as fh:
            while n := fh.readinto(buf):
                h.update(view[:n])
        sys.stdout.write(f"{h.hexdigest()}  {path}\n")


if __name__ == "__main__":
    main()
