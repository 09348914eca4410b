"""Which bundles a path holds: a bag folder, a zipped bag, or a folder (a stick's root) with many.

Nothing is opened beyond listing folders; a folder that holds no bag, a path that does not exist
and a folder left by an unfinished export (`.partial`) are reported by name, never skipped
silently. Links are not followed (a hostile stick could point them anywhere).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.services.bundle import layout as L

MAX_DEPTH = 2                      # the stick's root, and one folder below it (e.g. 报送包/)
MAX_ENTRIES = 5000                 # a folder with more entries than this is not a stick of bundles


@dataclass(frozen=True)
class Candidate:
    path: Path
    kind: str                      # folder / zip

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class PathProblem:
    path: str
    message: str


def _is_zip_name(name: str) -> bool:
    low = name.lower()
    return low.endswith(".zip") or low.endswith(".zip" + L.PARTIAL)


def _is_bag(folder: Path) -> bool:
    try:
        return (folder / L.BAGIT_TXT).is_file() and not (folder / L.BAGIT_TXT).is_symlink()
    except OSError:
        return False


def _scan(folder: Path, depth: int, out: list[Candidate]) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted((e for _, e in zip(range(MAX_ENTRIES), it)), key=lambda e: e.name)
    except OSError:
        return
    for e in entries:
        if e.name.startswith(".") or e.name.startswith("$") or e.name == "System Volume Information":
            continue
        try:
            if e.is_symlink():
                continue
            if e.is_dir(follow_symlinks=False):
                p = Path(e.path)
                if _is_bag(p):
                    out.append(Candidate(p, "folder"))
                elif depth < MAX_DEPTH:
                    _scan(p, depth + 1, out)
            elif e.is_file(follow_symlinks=False) and _is_zip_name(e.name):
                out.append(Candidate(Path(e.path), "zip"))
        except OSError:
            continue


def find_bundles(paths: list[str | Path]) -> tuple[list[Candidate], list[PathProblem]]:
    """Every bundle under the given paths, once each, in a stable order."""
    found: list[Candidate] = []
    problems: list[PathProblem] = []
    for raw in paths:
        p = Path(raw).expanduser()
        try:
            if p.is_symlink():
                problems.append(PathProblem(str(p), "这是一个链接（快捷方式），为安全起见不予读取。请选择报送包本身。"))
                continue
            if p.is_dir():
                if _is_bag(p):
                    found.append(Candidate(p, "folder"))
                    continue
                before = len(found)
                _scan(p, 1, found)
                if len(found) == before:
                    problems.append(PathProblem(str(p), "这个文件夹里没有找到报送包（含 bagit.txt 的文件夹或报送包 zip 文件）。"))
            elif p.is_file():
                found.append(Candidate(p, "zip"))
            else:
                problems.append(PathProblem(str(p), "找不到这个文件夹或文件（U盘是否已拔出？）。"))
        except OSError as exc:
            problems.append(PathProblem(str(p), f"无法读取：{exc.strerror or exc}。"))
    seen: set[str] = set()
    unique = []
    for c in found:
        key = os.path.normcase(os.path.realpath(c.path))
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique, problems
