"""The district office of a data folder: set it up, tell a district folder from a school's."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from app.errors import AppError, RuleViolation
from app.models import Programme, School
from app.models.district import DistrictOffice
from app.services import keys
from app.services.programmes import DEFAULT_PRESET, install_programme, load_preset
from app.services.school import validate_school_fields

DISTRICT_DIR = "district"


class NotDistrictError(AppError):
    """A district command on a folder that is not a district's."""


@dataclass(frozen=True)
class OfficeInfo:
    name: str
    code: str
    fingerprint: str
    public_key: str
    programme_id: str
    programme_name: str
    folder: str

    def to_dict(self) -> dict:
        return {"name": self.name, "code": self.code, "fingerprint": self.fingerprint,
                "public_key": self.public_key, "programme_id": self.programme_id,
                "programme": self.programme_name, "folder": self.folder}


def folder_kind(ws) -> str:
    """'school', 'district' or 'empty' (the set-up wizard has not run yet)."""
    with ws.sessions() as s:
        if s.exec(select(DistrictOffice.id)).first() is not None:
            return "district"
        if s.exec(select(School.id)).first() is not None:
            return "school"
    return "empty"


def is_district(ws) -> bool:
    return folder_kind(ws) == "district"


def require_office(s) -> DistrictOffice:
    row = s.exec(select(DistrictOffice)).first()
    if row is None:
        raise NotDistrictError("这个数据文件夹不是区县项目办的数据文件夹。请用 --data-dir 指定区县的数据文件夹，"
                               "或先运行“tisheng district init --name 名称 --code 代码”建立。")
    return row


def district_dir(ws, *parts: str) -> Path:
    path = Path(ws.paths.root, DISTRICT_DIR, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def init_district(ws, *, name: str, code: str, programme_id: str = DEFAULT_PRESET) -> OfficeInfo:
    """Make this (empty) data folder the district office's; its signing key is created now."""
    name, code, _ = validate_school_fields(name, code, "混合")
    load_preset(programme_id)                       # a Chinese NotFoundError for an unknown preset
    with ws.sessions() as s:
        if s.exec(select(DistrictOffice)).first() is not None:
            raise RuleViolation("这个数据文件夹已经是区县项目办的数据文件夹，不能再次建立。")
        if s.exec(select(School)).first() is not None:
            raise RuleViolation("这个数据文件夹已有学校的数据，不能改作区县项目办使用。"
                                "请为区县新建一个空的数据文件夹（--data-dir 新文件夹）。")
        s.add(DistrictOffice(name=name, code=code, id_salt=secrets.token_hex(16)))
        install_programme(s, programme_id)
        s.commit()
    keys.school_key(ws)                              # the district's own key signs its receipts
    district_dir(ws, "records")
    return office_info(ws)


def office_info(ws) -> OfficeInfo:
    with ws.sessions() as s:
        office = require_office(s)
        prog = s.exec(select(Programme)).first()
    key = keys.school_key(ws)
    return OfficeInfo(office.name, office.code, key.fingerprint, key.public_key_b64,
                      prog.preset_id if prog else "", prog.name if prog else "", str(ws.paths.root))
