"""The school key: made once, kept private, minisign-compatible, replaceable with a record."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from sqlmodel import select

from app.models import AuditEntry
from app.services import keys
from app.services.bundle import minisign
from app.services.workspace import Workspace

MINISIGN = shutil.which("minisign") or "/usr/bin/minisign"


@pytest.fixture
def ws(tmp_path):
    w = Workspace.open(tmp_path / "data")
    yield w
    w.close()


def _audit(ws, action):
    with ws.sessions() as s:
        return [json.loads(a.detail) for a in s.exec(select(AuditEntry).where(AuditEntry.action == action))]


def test_key_made_once_and_stable(ws):
    first = keys.school_key(ws)
    again = keys.school_key(ws)
    assert first.fingerprint == again.fingerprint
    assert first.public_key_b64.startswith("RW") and len(first.public_key_b64) == 56
    assert len(first.fingerprint) == 39 and first.fingerprint.count("-") == 7
    assert first.pub_file_text.splitlines()[1] == first.public_key_b64
    assert first.key_id_hex in first.pub_file_text.splitlines()[0]
    assert len(_audit(ws, "key-create")) == 1


def test_secret_not_readable_by_others_and_not_in_public_files(ws):
    info = keys.school_key(ws)
    key_file = ws.paths.keys / keys.KEY_FILE
    if os.name != "nt":
        assert key_file.stat().st_mode & 0o077 == 0
    doc = json.loads(key_file.read_text(encoding="utf-8"))
    secret = doc["secret"]
    pub = (ws.paths.keys / keys.PUB_FILE).read_text(encoding="ascii")
    assert pub == info.pub_file_text
    assert secret not in pub and secret not in json.dumps(info.to_dict())


def test_signature_verified_by_minisign_and_by_us(ws, tmp_path):
    msg = tmp_path / "m.txt"
    msg.write_bytes("清单\n".encode("utf-8"))
    sig = keys.sign_file(ws, msg, "timestamp:1\tfile:m.txt\thashed\tschool:X1")
    (tmp_path / "m.txt.minisig").write_text(sig, encoding="utf-8")
    pub_path = keys.export_public(ws, tmp_path / "school.pub")
    r = subprocess.run([MINISIGN, "-Vm", str(msg), "-p", str(pub_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "school:X1" in r.stdout
    check = minisign.verify_signature(sig.encode(), msg, minisign.parse_public_key(pub_path.read_text()))
    assert check.ok and check.trusted_comment.endswith("school:X1")
    msg.write_bytes("清单\n追加\n".encode("utf-8"))
    assert not minisign.verify_signature(sig.encode(), msg, keys.public_key(ws)).ok
    r = subprocess.run([MINISIGN, "-Vm", str(msg), "-p", str(pub_path)], capture_output=True, text=True)
    assert r.returncode != 0


def test_tampered_trusted_comment_rejected(ws, tmp_path):
    msg = tmp_path / "m.txt"
    msg.write_bytes(b"x")
    sig = keys.sign_file(ws, msg, "timestamp:1\tschool:A").replace("school:A", "school:B")
    check = minisign.verify_signature(sig.encode(), msg, keys.public_key(ws))
    assert not check.ok and check.code == "bad-comment"


def test_replace_records_and_changes_fingerprint(ws):
    old = keys.school_key(ws)
    before, new = keys.replace_key(ws, "电脑更换")
    assert before.fingerprint == old.fingerprint
    assert new.fingerprint != old.fingerprint
    assert keys.school_key(ws).fingerprint == new.fingerprint
    entries = _audit(ws, "key-replace")
    assert entries == [{"old_fingerprint": old.fingerprint, "new_fingerprint": new.fingerprint,
                        "new_key_id": new.key_id_hex, "reason": "电脑更换"}]
    assert list((ws.paths.keys / keys.RETIRED_DIR).glob("*.json"))


def test_damaged_key_file_is_refused_not_silently_replaced(ws):
    keys.school_key(ws)
    path = ws.paths.keys / keys.KEY_FILE
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["public_key"] = doc["public_key"][:-4] + "AAA="
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(keys.KeyUnavailableError):
        keys.school_key(ws)
    path.write_text("garbage", encoding="utf-8")
    with pytest.raises(keys.KeyUnavailableError) as err:
        keys.school_key(ws)
    assert "生成新密钥" in err.value.user_message and "tisheng" not in err.value.user_message
    assert "key replace" in err.value.cli_hint


def test_parse_public_key_accepts_line_and_file(ws):
    info = keys.school_key(ws)
    a = minisign.parse_public_key(info.pub_file_text)
    b = minisign.parse_public_key(info.public_key_b64)
    assert a == b and a.key_id_hex == info.key_id_hex
    with pytest.raises(minisign.MinisignFormatError):
        minisign.parse_public_key("not a key")


@pytest.mark.skipif(sys.platform != "win32", reason="DPAPI only on Windows")
def test_dpapi_round_trip():
    blob = keys._dpapi(b"secret-seed", True)
    assert blob != b"secret-seed"
    assert keys._dpapi(blob, False) == b"secret-seed"
