"""The database file's contract, readable without SQLAlchemy: the schema version this app writes
(PRAGMA user_version), the tables and columns a database at that version must have, how every
connection to it is set up, and the one way a file is opened read-only (by a URI that any folder
name, “1#楼” included, survives).

The command line checks a data folder and imports a roster with the standard library's sqlite3
alone; loading SQLAlchemy and SQLModel (a quarter of a second) would be most of such a command.
The tables themselves are defined in app/models; tests/test_dbfile.py checks that SCHEMA_VERSION
and TABLES match them (app.models.migrations.LATEST and SQLModel.metadata).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path, PurePath, PureWindowsPath
from urllib.parse import quote

SCHEMA_VERSION = 4
BUSY_TIMEOUT_S = 10                      # how long a connection waits for another's write lock
SQLITE_HEADER = b"SQLite format 3\x00"    # the first 16 bytes of every SQLite database file

# table → its columns, space-separated, as SQLModel.metadata defines them at SCHEMA_VERSION
TABLES: dict[str, str] = {
    "abilitychoice": "id teacher_id point_code chosen_at",
    "abilitypoint": "code name environment dimension description sort_order",
    "activityattendance": "id activity_id teacher_id",
    "activityfile": "id activity_id sha256 original_name size added_at",
    "assessment": "id teacher_id point_code item_id round grade reviewer comment on_date created_at",
    "auditentry": "id at action detail",
    "blob": "sha256 size added_at",
    "bundleevidence": "id bundle_id sha256 size path teacher_ref teacher_name point_code",
    "bundleperson": "id bundle_id teacher_ref name masked_id id_digest",
    "collectionpack": "id pack_id scope_kind scope_name teacher_ids secret issued_json folder status created_by created_at returned_seq merged_at withdrawn_at",
    "deadline": "id title due_on kind done_on note",
    "districtkey": "id unit_code fingerprint public_key source registered_at retired_at note",
    "districtoffice": "id name code id_salt created_at",
    "districtreceipt": "id seal_code district_name district_code received_at version document_json imported_at",
    "districtunit": "id code name kind note created_at",
    "evidencefile": "id teacher_id point_code item_id sha256 original_name size added_at note",
    "evidenceitem": "id point_code seq title kinds max_mb max_minutes note",
    "excellentcase": "id teacher_id point_code title note marked_on",
    "hoursrecord": "id teacher_id category topic hours on_date source source_ref activity_id course_id note created_at",
    "importedrow": "id natural_key hours_id",
    "intakeevent": "id at path outcome unit_code school_name seal_code fingerprint message details_json",
    "packevent": "id pack_row_id merge_id event_id kind outcome detail_json",
    "packmerge": "id pack_row_id return_seq sealed_at sealed_by tagmanifest_sha256 merged_by merged_at summary_json",
    "plandocument": "id kind title semester status submitted_on filed_on sha256 original_name size note updated_at",
    "programme": "id preset_id name source rules_json adjusted updated_at preset_hash",
    "programmechange": "id at by key before_json after_json note",
    "receivedbundle": "id seal_code seal_digest unit_code school_name bag_name location copied records_dir exported_at received_at key_fingerprint previous_code previous_id version current payload_bytes payload_files teacher_count masked programme_name programme_hash allow_incomplete school_summary_json recheck_json recheck_differences changes_json warnings_json paper_received_at paper_note receipt_at",
    "school": "id name code stage district environment address contact_phone school_year created_at updated_at",
    "schoolcourse": "id title semester hours category lead status note",
    "selfassessmententry": "id indicator level note by updated_at",
    "studygroup": "id name subject leader_id common_point",
    "supportrecord": "id teacher_id point_code helper plan opened_on reassess_on closed_on new_result note",
    "teacher": "id name gender id_number phone subject stage staff_type title staff_no teaching_point_id group_id status status_reason retire_date note created_at updated_at participation",
    "teachingpoint": "id name environment address note",
    "team": "id kind name duty",
    "teammember": "id team_id teacher_id name role duty is_first_responsible",
    "trainingactivity": "id title kind on_date hours category topic location organiser note created_at",
    "trusteddistrict": "id name code fingerprint public_key source added_at programme_hash programme_imported_at",
}


def configure(conn: sqlite3.Connection, *, journal_mode: str = "WAL") -> None:
    """What every connection to the data folder's database gets (the engine's and plain ones):
    the driver's own transaction handling off (BEGIN IMMEDIATE is issued explicitly), foreign
    keys on, WAL, synchronous=FULL (rural power cuts are common and the write rate is tiny) and
    a busy timeout."""
    conn.isolation_level = None
    for pragma in ("foreign_keys=ON", f"journal_mode={journal_mode}", "synchronous=FULL",
                   f"busy_timeout={int(BUSY_TIMEOUT_S * 1000)}"):
        conn.execute(f"PRAGMA {pragma}")
    if "db.full" in os.environ.get("TISHENG_FAULT", "").split(","):
        # fault injection (app/services/faults.py): the file may not grow, so the next write
        # fails with SQLITE_FULL exactly as on a full disk
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={max(pages, 1)}")


def connect(path: Path) -> sqlite3.Connection:
    """A plain DB-API connection set up as the app's engine sets up its own."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    try:
        configure(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def looks_like_sqlite(path: Path) -> bool:
    """True for an empty or missing file too (it becomes a new database)."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    with open(path, "rb") as fh:
        return fh.read(16) == SQLITE_HEADER


def file_uri(path: PurePath) -> str:
    """The file: URI SQLite reads back as exactly this absolute path.

    SQLite ends a URI's path at `?` or `#` and decodes %XX in it, so every character but
    letters, digits, `_.-~`, `/` and a drive's `:` is percent-encoded (a folder named “1#楼”
    otherwise opens, and creates, a database at “1”). A Windows drive path becomes
    file:///C:/… (SQLite drops the slash before the drive letter); a UNC path //server/share/…
    becomes file:////server/share/… (an empty authority, since SQLite refuses a host name)."""
    if isinstance(path, PureWindowsPath):
        text = path.as_posix()                     # C:/a/b or //server/share/a
        text = text if text.startswith("//") else "/" + text
    else:
        text = str(path)
    return "file://" + quote(text, safe="/:")


def readonly_uri(path: str | os.PathLike, *, immutable: bool = False) -> str:
    """The URI that opens the database file at `path` read-only (never creating it); immutable:
    also without any locking or -wal/-shm files (a backup file nothing else writes)."""
    return file_uri(Path(os.path.abspath(path))) + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def connect_readonly(path: str | os.PathLike, *, timeout: float | None = None,
                     immutable: bool = False) -> sqlite3.Connection:
    """A read-only connection to the database file at `path`; sqlite3.OperationalError when it
    does not exist (read-only never creates a file). The only way app/ opens a file by URI."""
    return sqlite3.connect(readonly_uri(path, immutable=immutable), uri=True,
                           timeout=BUSY_TIMEOUT_S if timeout is None else timeout)
