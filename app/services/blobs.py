"""Which rows use a stored file: the one list of blob-holding tables, and what follows from it.

A file in the evidence store (app.services.store) is named by its SHA-256 and recorded
once as a Blob row. Three kinds of record refer to one: a teacher's evidence file, a
plan document's attachment and a training activity's attachment. BLOB_HOLDERS lists
them, with how to describe each use in Chinese; everything that asks "is this file
still used?" (deleting records, fsck, full backups, restore) reads this list, and
tests/test_store_layout.py fails if a table with a blob reference is missing from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app.dbfile import connect_readonly
from app.models import ActivityFile, Blob, EvidenceFile, PlanDocument
from app.services.progress import NO_PROGRESS, Progress
from app.services.store import display_name


@dataclass(frozen=True)
class BlobHolder:
    """A table whose rows refer to a stored file by its sha256 column."""

    model: type
    describe_sql: str            # read-only SQL on a database file: (sha256, a, b, c) per use
    describe: str                # "{1}{2}{3}" filled from those columns


BLOB_HOLDERS: tuple[BlobHolder, ...] = (
    BlobHolder(EvidenceFile,
               "SELECT e.sha256, t.name, e.point_code, e.original_name FROM evidencefile e "
               "LEFT JOIN teacher t ON t.id = e.teacher_id", "教师{1}的证据（{2}）“{3}”"),
    BlobHolder(PlanDocument,
               "SELECT sha256, kind, title, original_name FROM plandocument WHERE sha256 IS NOT NULL",
               "方案文档“{2}”的附件“{3}”"),
    BlobHolder(ActivityFile,
               "SELECT f.sha256, a.title, a.on_date, f.original_name FROM activityfile f "
               "LEFT JOIN trainingactivity a ON a.id = f.activity_id", "培训活动“{1}”（{2}）的附件“{3}”"),
)


def blob_in_use(s: Session, sha256: str) -> bool:
    """Whether any record still refers to this stored file (in the open session)."""
    return any(s.exec(select(h.model.id).where(h.model.sha256 == sha256)).first() is not None
               for h in BLOB_HOLDERS)


def referenced_blobs(db: Path) -> dict[str, list[str]]:
    """sha256 -> descriptions of the rows that use it, read from a database file (read-only).

    Blobs no row uses map to an empty list. Works on a snapshot or a staged copy, not only
    on the open workspace (full backups and restore read files that are not open)."""
    con = connect_readonly(db)
    try:
        out: dict[str, list[str]] = {}
        for holder in BLOB_HOLDERS:
            for row in con.execute(holder.describe_sql):
                out.setdefault(row[0], []).append(holder.describe.format(*[v if v is not None else "" for v in row]))
        for (sha,) in con.execute("SELECT sha256 FROM blob"):
            out.setdefault(sha, [])
        return out
    finally:
        con.close()


def release_blobs(ws, hashes: set[str]) -> None:
    """Drop stored files nothing refers to any more (after the rows are gone)."""
    for sha in hashes:
        with ws.sessions() as s:
            if blob_in_use(s, sha):
                continue
            blob = s.get(Blob, sha)
            if blob is not None:
                s.delete(blob)
            s.commit()
        ws.store.remove(sha)


def store_blob(ws, file: Path, progress: Progress = NO_PROGRESS) -> tuple[str, int, str]:
    """Copy any attachment (plan document, activity record) into the store; returns (sha, size, name).

    Writes no row: the caller adds the Blob row with `ensure_blob` in the same transaction as
    the row that refers to it, so a crash never leaves a Blob row nothing uses.
    """
    stored = ws.store.add_file(Path(file), progress)
    return stored.sha256, stored.size, display_name(str(file))


def ensure_blob(s: Session, sha256: str, size: int) -> None:
    """Record a stored file in the open transaction (once per content)."""
    if s.get(Blob, sha256) is None:
        s.add(Blob(sha256=sha256, size=size))
        s.flush()           # before the referring row: the unit of work does not order by foreign key
