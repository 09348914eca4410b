"""remove_tree (app/services/fileio.py): the one way staging folders and partial copies are
deleted — read-only files too, best effort, never raising (a pulled stick cannot be cleaned)."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from app.services.fileio import remove_tree


def test_a_folder_with_read_only_files_and_folders_is_removed(tmp_path):
    root = tmp_path / "bag.partial"
    (root / "data" / "证据").mkdir(parents=True)
    f = root / "data" / "证据" / "课例.mp4"
    f.write_bytes(b"x" * 100)
    os.chmod(f, stat.S_IREAD)                      # as copied from a read-only source
    assert remove_tree(root) is True
    assert not root.exists()


def test_a_file_and_a_missing_path(tmp_path):
    f = tmp_path / "bag.zip.partial"
    f.write_bytes(b"PK")
    assert remove_tree(f) is True and not f.exists()
    assert remove_tree(tmp_path / "never-made") is True


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root may delete anything")
def test_what_cannot_be_removed_is_reported_not_raised(tmp_path):
    parent = tmp_path / "stick"
    (parent / "bag.partial").mkdir(parents=True)
    (parent / "bag.partial" / "a.txt").write_text("x")
    os.chmod(parent / "bag.partial", stat.S_IREAD | stat.S_IEXEC)
    try:
        assert remove_tree(parent / "bag.partial") is False
    finally:
        os.chmod(parent / "bag.partial", stat.S_IRWXU)


def test_a_symlink_is_removed_not_followed(tmp_path):
    target = tmp_path / "school-store"
    target.mkdir()
    (target / "keep.txt").write_text("证据")
    link = tmp_path / "staging"
    try:
        link.symlink_to(target, target_is_directory=True)
    except OSError:
        pytest.skip("no symlinks here")
    assert remove_tree(link) is True
    assert not link.exists() and (target / "keep.txt").read_text() == "证据"
