"""Names, formats and limits of a pack folder and of its return bag (shared by both sides).

    采集包-东山教学点-20261101/
      README-请先阅读.txt          what this folder is, for whoever opens the stick
      tisheng-pack.json            the pack as issued (teachers, points, items, programme, secret)
      data/changes/000001-<id>.json  one file per change made at the teaching point
      data/files/ab/<sha256>       the files attached there, named by their SHA-256
      回收包-001/                   the return bag (BagIt) written by 完成采集
        bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt  return-hmac.txt
        data/changes.json  data/files/ab/<sha256>
"""

from __future__ import annotations

import re
from pathlib import Path

PACK_FILE = "tisheng-pack.json"
PACK_FORMAT = "tisheng-collection-pack"
PACK_VERSION = 1
CHANGE_FORMAT = "tisheng-pack-change"
RETURN_FORMAT = "tisheng-pack-return"
README = "README-请先阅读.txt"
DATA = "data"
CHANGES_DIR = "data/changes"
FILES_DIR = "data/files"
RETURN_PREFIX = "回收包-"
RETURN_JSON = "data/changes.json"
HMAC_FILE = "return-hmac.txt"
HMAC_LABEL = "HMAC-SHA256"
PARTIAL = ".partial"
FOLDER_PREFIX = "采集包-"

# What a hostile or damaged stick may not make us read (bytes, counts).
MAX_PACK_JSON = 32 * 1024 ** 2
MAX_CHANGE_FILE = 64 * 1024
MAX_CHANGES = 20000
MAX_RETURN_JSON = 32 * 1024 ** 2
MAX_MANIFEST = 4 * 1024 ** 2
MAX_TAG_FILE = 64 * 1024
MAX_RETURN_FILES = 20000

_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CHANGE_NAME = re.compile(r"^(\d{6})-([0-9a-f]{32})\.json$")
_RETURN_NAME = re.compile(r"^" + RETURN_PREFIX + r"(\d{3,6})$")


def is_pack_id(text: object) -> bool:
    return isinstance(text, str) and bool(_HEX32.match(text))


def is_sha256(text: object) -> bool:
    return isinstance(text, str) and bool(_SHA.match(text))


def file_rel(sha256: str) -> str:
    """Where a file with this hash lives, relative to the pack folder or to the bag."""
    return f"{FILES_DIR}/{sha256[:2]}/{sha256}"


def change_name(seq: int, change_id: str) -> str:
    return f"{seq:06d}-{change_id}.json"


def parse_change_name(name: str) -> tuple[int, str] | None:
    m = _CHANGE_NAME.match(name)
    return (int(m.group(1)), m.group(2)) if m else None


def return_name(seq: int) -> str:
    return f"{RETURN_PREFIX}{seq:03d}"


def return_seq_of(name: str) -> int | None:
    m = _RETURN_NAME.match(name)
    return int(m.group(1)) if m else None


def return_bags(folder: Path) -> list[tuple[int, Path]]:
    """Finished return bags in a pack folder, oldest first (a `.partial` one is not finished)."""
    out = []
    try:
        for child in folder.iterdir():
            seq = return_seq_of(child.name)
            if seq is not None and child.is_dir() and not child.is_symlink():
                out.append((seq, child))
    except OSError:
        return []
    return sorted(out)
