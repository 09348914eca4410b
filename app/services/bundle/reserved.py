"""Room set aside on the target for the files an export makes last, so the read-back can start early.

The read-back must follow every write that could land somewhere new on the stick: a
fake-capacity stick maps addresses past its real size onto earlier ones, so a file
written later can overwrite one already read back. The sign-off forms are laid out
long after the evidence is copied, and the tag files follow them. Their room is
therefore reserved first – files of the expected size holding a random pattern,
written and read back with the evidence while the forms are laid out – and they are
then written into that same room (overwritten in place, cut to size), which was read
back as genuine storage. At the end only they are read back.

That holds where a file is rewritten in place (FAT, exFAT, NTFS, ext2–4); on other
file systems (copy-on-write ones such as btrfs or ReFS, or one the platform does not
name) nothing is reserved. A file that outgrows its room, or any other new write
after the early read-back, voids it: then everything is read back at the end.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from app.services.bundle import layout as L
from app.services.bundle.device_read import _drop_cache

# file systems that rewrite a file's existing blocks in place (destination.filesystem_type's names)
IN_PLACE = frozenset({"FAT", "FAT12", "FAT16", "FAT32", "exFAT", "NTFS", "ext2", "ext3", "ext4", "ext2/ext3"})

# Room for the tag files written after the forms (each a few hundred bytes to a few KB).
TAG_ROOM = {L.BAGIT_TXT: 4096, L.BAG_INFO: 64 * 1024, L.PUBKEY: 4096, L.README: 64 * 1024,
            L.TAGMANIFEST: 64 * 1024, L.SIGNATURE: 16 * 1024}
_BLOCK = 1024 * 1024


def rewrites_in_place(fs_type: str) -> bool:
    return fs_type in IN_PLACE


def forms_room(teachers: int) -> int:
    """Room for the sign-off forms: about twice what they take (3.7–4.1 KB a teacher and
    120–300 KB of fonts and summary for 50 to 2,000 teachers, measured)."""
    return 512 * 1024 + 8 * 1024 * teachers


def write_pattern(path: Path, size: int) -> str:
    """`path` created holding `size` random bytes, on the device; returns their SHA-256. (One random
    block repeated: room that overlaps the evidence differs from it; room that overlaps other room is
    rewritten later and read back then.)"""
    block = os.urandom(min(size, _BLOCK)) if size else b""
    h = hashlib.sha256()
    with open(path, "wb") as out:
        left = size
        while left:
            piece = block[:left]
            out.write(piece)
            h.update(piece)
            left -= len(piece)
        out.flush()
        os.fsync(out.fileno())
        _drop_cache(out.fileno())
    return h.hexdigest()


def rewrite(path: Path, data: bytes) -> None:
    """`data` written over the start of the existing file `path`, the rest cut off, on the device."""
    with open(path, "r+b") as out:
        out.write(data)
        out.truncate()
        out.flush()
        os.fsync(out.fileno())
        _drop_cache(out.fileno())
