"""Compatibility re-exports: start-up checks moved to app.services.startup (with dbcheck and
storage_kind), the restore journal to app.services.backup.restore, fsck to app.services.fsck.

Kept only so branches written before the split still import; nothing in app/ uses it
(tests/test_import_cycles.py checks that) and it goes once they are merged.
"""

from app.services.backup.restore import finish_pending_restore  # noqa: F401
from app.services.dbcheck import check_database, database_version, refuse_if_too_new, schema_problem  # noqa: F401
from app.services.fsck import FileProblem, FsckReport, fsck  # noqa: F401
from app.services.startup import (CheckedWorkspace, DatabaseDamagedError, open_checked,  # noqa: F401
                                  recover_from_backup, refuse_if_damaged)
from app.services.storage_kind import (DRIVE_FIXED, DRIVE_REMOTE, DRIVE_REMOVABLE, DRIVE_UNKNOWN,  # noqa: F401
                                       drive_type, storage_warning)
