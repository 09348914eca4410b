"""One open data folder: its database, evidence store and paths.

Everything else takes a Workspace. Opening checks the file is ours, refuses a
newer schema untouched, backs up before any migration, and seeds the
micro-ability catalogue into a new database.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.errors import AppError
from app.models import AbilityPoint, EvidenceItem, School
from app.models.db import SessionFactory, looks_like_sqlite, make_engine, session_factory
from app.models.migrations import create_or_upgrade
from app.paths import DataPaths
from app.resources import load_json
from app.services.store import EvidenceStore

log = logging.getLogger(__name__)


class NotSQLiteError(AppError):
    pass


@dataclass
class Workspace:
    paths: DataPaths
    engine: Engine
    sessions: SessionFactory
    store: EvidenceStore

    @classmethod
    def open(cls, data_dir: str | os.PathLike | None = None) -> "Workspace":
        from app.services import datafolder
        from app.services.backup.restore import finish_pending_restore
        from app.services.dbcheck import refuse_if_too_new
        paths = datafolder.prepare(data_dir)
        finish_pending_restore(paths)          # a restore killed after its commit point
        db = paths.database
        if not looks_like_sqlite(db):
            raise NotSQLiteError(f"数据文件“{db}”不是 SQLite 数据库（可能已损坏或被替换），"
                                 "本软件不会改动它。请从备份恢复。")
        refuse_if_too_new(db)                  # before the engine's PRAGMA journal_mode writes
        engine = make_engine(db)
        try:
            from app.services.backup.snapshot import snapshot
            create_or_upgrade(engine, db, backup=lambda _f, reason: snapshot(paths, reason))
            ws = cls(paths, engine, session_factory(engine), EvidenceStore(paths.store))
            ws._seed_catalogue()
            ws._upgrade_programme()
        except BaseException as exc:            # no -wal/-shm left beside a file we could not open
            engine.dispose()
            from app.services.dberrors import unavailable
            trouble = unavailable(exc, db)      # locked, read-only, disk full: say so, not "damaged"
            if trouble is not None:
                raise trouble from exc
            raise
        return ws

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def session(self) -> Session:
        return self.sessions()

    def has_school(self) -> bool:
        with self.session() as s:
            return s.exec(select(School.id)).first() is not None

    def _upgrade_programme(self) -> None:
        """A programme stored by the first release is rewritten with sources (format_version 2)."""
        from app.services.programmes.store import upgrade_stored
        with self.session() as s:
            if upgrade_stored(s):
                s.commit()

    def _seed_catalogue(self) -> None:
        with self.session() as s:
            if s.exec(select(AbilityPoint.code)).first() is not None:
                return
            seed_catalogue(s)
            s.commit()


def seed_catalogue(s: Session) -> None:
    data = load_json("catalogue", "micro_abilities.json")
    for p in data["points"]:
        s.add(AbilityPoint(code=p["code"], name=p["name"], environment=p["environment"],
                           dimension=p["dimension"], description=p["description"],
                           sort_order=p["order"]))
    s.flush()
    for p in data["points"]:
        for seq, item in enumerate(p["evidence"], 1):
            s.add(EvidenceItem(point_code=p["code"], seq=seq, title=item["title"],
                               kinds=",".join(item["kinds"]), max_mb=item.get("max_mb"),
                               max_minutes=item.get("max_minutes")))
