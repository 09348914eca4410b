"""Compatibility re-exports of app.services.backup (split into a package; see its modules).

Kept only so branches written before the split still import; nothing in app/ uses it
(tests/test_import_cycles.py checks that) and it goes once they are merged.
"""

from app.services.backup.automatic import (AUTO_INTERVAL, BackupTask, backup_before, has_changes,  # noqa: F401
                                           maybe_auto_backup, reset_change_marker, track_changes)
from app.services.backup.full import FULL_FORMAT, FULL_PREFIX, MANIFEST, README_NAME  # noqa: F401
from app.services.backup.manual import make_backup  # noqa: F401
from app.services.backup.restore import (JOURNAL, RestoreResult, current_database_state,  # noqa: F401
                                         finish_pending_restore, restore, set_aside_damaged)
from app.services.backup.retention import (Retention, list_backups, newest_good_backup, obsolete,  # noqa: F401
                                           sweep_stale_backup_files, thin_backups, verify_backup_file)
from app.services.backup.snapshot import (REASON_LABELS, BackupFailed, BackupInfo, BackupResult,  # noqa: F401
                                          backup_name, parse_backup_name, snapshot, snapshot_database)
from app.services.backup.source import (DB_NAME, BackupRejected, BackupSource, SourceEntry,  # noqa: F401
                                        inspect_backup, open_backup_source)
from app.services.backup.staging import check_database_file  # noqa: F401
from app.services.blobs import referenced_blobs  # noqa: F401
from app.services.dbcheck import SQLITE_HEADER, describe_check_rows, describe_database_error  # noqa: F401
