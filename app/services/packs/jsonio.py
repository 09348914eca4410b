"""JSON on a stick: read with limits (size, depth, no NaN), written atomically, checked field by field.

Everything a pack or a return holds is read as untrusted: a file is capped before it is read,
parsing refuses NaN/Infinity and absurd nesting, and `Fields` checks each value's type, length
and range, so a damaged or edited file ends in one Chinese message naming the file, never in a
KeyError. Writing goes through a temporary name, fsync and rename (`atomic_write`), so a file
under its final name is always complete.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.errors import AppError
from app.services import faults
from app.services.fileio import fsync_dir, os_errors, replace_with_retry


class PackDataError(AppError):
    """A pack or return file is damaged, edited or not ours: nothing was read from it."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


def loads(data: bytes, where: str) -> Any:
    """Parse JSON bytes; any problem becomes PackDataError naming `where`."""
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise PackDataError(f"“{where}”不是 UTF-8 文本，已损坏或被改动。") from None
    except RecursionError:
        raise PackDataError(f"“{where}”的嵌套层次过深，不是本软件写的文件。") from None
    except ValueError as exc:
        raise PackDataError(f"“{where}”不是有效的 json 数据（{_short(exc)}），已损坏或被改动。") from None


def _short(exc: Exception) -> str:
    text = str(exc)
    if "line" in text and "column" in text:
        import re
        m = re.search(r"line (\d+) column (\d+)", text)
        if m:
            return f"第 {m.group(1)} 行第 {m.group(2)} 列"
    return "格式错误"


def read_capped(path: Path, cap: int, where: str) -> bytes:
    """The bytes of a regular file no larger than `cap` (a link, a folder or a huge file is refused)."""
    with os_errors(path):
        st = os.lstat(path)
        import stat as _stat
        if not _stat.S_ISREG(st.st_mode):
            raise PackDataError(f"“{where}”不是普通文件（可能是链接或文件夹），不予读取。")
        if st.st_size > cap:
            raise PackDataError(f"“{where}”过大（{st.st_size:,} 字节，上限 {cap:,}），不是本软件写的文件。")
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    if len(data) > cap:
        raise PackDataError(f"“{where}”过大，不是本软件写的文件。")
    return data


def read_json(path: Path, cap: int, where: str) -> Any:
    return loads(read_capped(path, cap, where), where)


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False).encode("utf-8")


def atomic_write(path: Path, data: bytes, *, fault: str | None = None) -> None:
    """Write `path` through a unique temporary name, fsync, rename, fsync the folder.

    A kill or a pulled stick leaves at most a `*.tmp-…` file (swept when the pack opens).
    `fault` names the point passed after the temporary file is complete (kill tests).
    """
    tmp = path.with_name(f"{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    with os_errors(path, f"写入“{path.name}”"):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if fault:
                faults.hit(fault)
            replace_with_retry(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink(missing_ok=True)
        fsync_dir(path.parent)


class Fields:
    """Typed access to one JSON object read from an untrusted file.

        f = Fields(obj, "回收包 第 3 项更改")
        hours = f.number("hours", low=0.01, high=200)
    """

    def __init__(self, obj: Any, where: str) -> None:
        if not isinstance(obj, dict):
            raise PackDataError(f"{where}：格式不正确（应为一组键值）。")
        self.obj, self.where = obj, where

    def _bad(self, key: str, why: str) -> PackDataError:
        return PackDataError(f"{self.where}：“{key}”{why}。")

    def has(self, key: str) -> bool:
        return key in self.obj and self.obj[key] is not None

    def text(self, key: str, *, max_len: int = 200, empty: bool = True, default: str | None = None) -> str:
        if key not in self.obj or self.obj[key] is None:
            if default is not None:
                return default
            raise self._bad(key, "缺失")
        v = self.obj[key]
        if not isinstance(v, str):
            raise self._bad(key, "应为文字")
        if len(v) > max_len:
            raise self._bad(key, f"过长（{len(v)} 个字符，最多 {max_len}）")
        if any(ord(c) < 32 and c not in "\t\n" for c in v):
            raise self._bad(key, "含有控制字符")
        if not empty and not v.strip():
            raise self._bad(key, "不能为空")
        return v

    def integer(self, key: str, *, low: int = 0, high: int = 2 ** 53, optional: bool = False) -> int | None:
        v = self.obj.get(key)
        if v is None and optional:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            raise self._bad(key, "应为整数")
        if not low <= v <= high:
            raise self._bad(key, f"超出范围（{low}–{high}）")
        return v

    def number(self, key: str, *, low: float, high: float) -> float:
        v = self.obj.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise self._bad(key, "应为数字")
        if not low <= v <= high:
            raise self._bad(key, f"超出范围（{low:g}–{high:g}）")
        return float(v)

    def boolean(self, key: str, default: bool = False) -> bool:
        v = self.obj.get(key, default)
        if not isinstance(v, bool):
            raise self._bad(key, "应为是或否")
        return v

    def day(self, key: str, *, optional: bool = True) -> date | None:
        v = self.obj.get(key)
        if v is None and optional:
            return None
        try:
            return date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 else _raise()
        except ValueError:
            raise self._bad(key, "应为日期（如 2026-11-01）") from None

    def moment(self, key: str) -> datetime:
        v = self.obj.get(key)
        try:
            if not isinstance(v, str) or len(v) > 32:
                raise ValueError
            return datetime.fromisoformat(v)
        except ValueError:
            raise self._bad(key, "应为时间（如 2026-11-01T09:30:00）") from None

    def items(self, key: str, *, max_len: int, optional: bool = False) -> list:
        v = self.obj.get(key)
        if v is None and optional:
            return []
        if not isinstance(v, list):
            raise self._bad(key, "应为列表")
        if len(v) > max_len:
            raise self._bad(key, f"项目过多（{len(v)} 项，最多 {max_len}）")
        return v

    def sub(self, key: str) -> "Fields":
        return Fields(self.obj.get(key), f"{self.where}的“{key}”")

    def sha256(self, key: str) -> str:
        from app.services.packs.layout import is_sha256
        v = self.obj.get(key)
        if not is_sha256(v):
            raise self._bad(key, "不是有效的 SHA-256 校验值")
        return v

    def ident(self, key: str) -> str:
        from app.services.packs.layout import is_pack_id
        v = self.obj.get(key)
        if not is_pack_id(v):
            raise self._bad(key, "不是有效的编号")
        return v

    def choice(self, key: str, allowed: tuple[str, ...] | set[str]) -> str:
        v = self.obj.get(key)
        if v not in allowed:
            raise self._bad(key, "的取值不认识")
        return v


def _raise():
    raise ValueError

