"""Schema versions in PRAGMA user_version, upgraded by ordered, atomic steps.

A brand-new file gets the latest schema from the table definitions; an older
file is backed up and then upgraded one step at a time, each step and its
version bump in one transaction (calibre / Anki style: no Alembic scripts to
freeze into the Windows build). A file from a newer app is refused untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.errors import AppError, DatabaseTooNewError

log = logging.getLogger(__name__)



def _create(c: Connection, *tables: str) -> None:
    """New tables exactly as a fresh database gets them (same DDL, same indexes)."""
    for name in tables:
        SQLModel.metadata.tables[name].create(c)


def _v2_programme_rules_and_participation(c: Connection) -> None:
    # Programmes become rule lists with sources (format_version 2): the stored rules_json is
    # rewritten by the service layer when the workspace opens (it needs the shipped presets).
    c.exec_driver_sql("ALTER TABLE teacher ADD COLUMN participation VARCHAR DEFAULT '' NOT NULL")
    c.exec_driver_sql("ALTER TABLE programme ADD COLUMN preset_hash VARCHAR DEFAULT '' NOT NULL")
    _create(c, "programmechange", "selfassessmententry")


def _v3_collection_packs(c: Connection) -> None:
    # Collection packs for teaching points (issue 17): packs out, returns merged, changes applied.
    _create(c, "collectionpack", "packmerge", "packevent")


def _v4_district_mode(c: Connection) -> None:
    # District mode (issue 18): the office, its key register and the bundles it received; on the
    # school side the district key it trusts and the receipts it imported. New tables only.
    _create(c, "districtoffice", "districtunit", "districtkey", "receivedbundle", "bundleevidence",
            "bundleperson", "intakeevent", "trusteddistrict", "districtreceipt")


# STEPS[i] upgrades a database at version i+1 to version i+2. Version 1 is the
# first released schema; append a function here for every model change.
STEPS: list[Callable[[Connection], None]] = [_v2_programme_rules_and_participation, _v3_collection_packs,
                                                 _v4_district_mode]
LATEST = 1 + len(STEPS)


class NotOurDatabaseError(AppError):
    pass


def current_version(engine: Engine) -> tuple[int, bool]:
    with engine.connect() as c:
        version = c.exec_driver_sql("PRAGMA user_version").scalar_one()
        has_tables = c.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' LIMIT 1").first() is not None
    return int(version), has_tables


def create_or_upgrade(engine: Engine, db_file: Path,
                      backup: Callable[[Path, str], Path] | None = None) -> int:
    """Bring the database to LATEST; returns the version found before."""
    version, has_tables = current_version(engine)
    if not has_tables:
        with engine.begin() as c:
            SQLModel.metadata.create_all(c)
            c.exec_driver_sql(f"PRAGMA user_version={LATEST}")
        return 0
    if version == 0:
        raise NotOurDatabaseError(f"文件 {db_file} 不是本软件的数据文件，未作任何更改。")
    if version > LATEST:
        raise DatabaseTooNewError(found=version, supported=LATEST)
    if version < LATEST and backup is not None:
        backup(db_file, f"before-v{LATEST}-from-v{version}")
    for v in range(version, LATEST):
        log.info("migrating database from v%d to v%d", v, v + 1)
        with engine.begin() as c:
            STEPS[v - 1](c)
            c.exec_driver_sql(f"PRAGMA user_version={v + 1}")
        with engine.connect() as c:
            problems = c.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise AppError(f"数据库升级后外键检查失败：{problems[:3]}")
    return version
