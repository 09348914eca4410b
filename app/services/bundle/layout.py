"""Names and text formats of the bag (shared by the writer and the verifier)."""

from __future__ import annotations

import re
import unicodedata

BAGIT_TXT = "bagit.txt"
BAG_INFO = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
SIGNATURE = "tagmanifest-sha256.txt.minisig"
PUBKEY = "school.pub"
FORMS_PDF = "签字确认表.pdf"
README = "README-请先阅读.txt"
PARTIAL = ".partial"
BAGIT_TXT_BYTES = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
TISHENG_FORMAT = "1"

# Files Windows, macOS and Office drop next to what a reviewer opens: warnings, not errors.
_JUNK_NAMES = {"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"}
_SHA = re.compile(r"^([0-9a-fA-F]{64})[ \t]+\*?(.+)$")


def is_junk(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.casefold() in _JUNK_NAMES or name.startswith("~$") or name.startswith("._")


def encode_path(path: str) -> str:
    """RFC 8493 §2.1.3: only CR, LF and % are percent-encoded (our names never contain them)."""
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def decode_path(text: str) -> str:
    return re.sub(r"%(25|0A|0D)", lambda m: {"25": "%", "0A": "\n", "0D": "\r"}[m.group(1).upper()],
                  text, flags=re.IGNORECASE)


def manifest_bytes(entries: dict[str, str]) -> bytes:
    """`<sha256>  <path>` lines sorted by path; also readable by `sha256sum -c`."""
    return "".join(f"{sha}  {encode_path(path)}\n" for path, sha in sorted(entries.items())).encode("utf-8")


def parse_manifest(data: bytes, name: str) -> tuple[dict[str, str], list[str]]:
    """({path: sha256 lower}, problems). Paths are NFC; bad lines are reported, not guessed."""
    problems: list[str] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {}, [f"{name} 不是 UTF-8 文本"]
    if text.startswith("\ufeff"):
        problems.append(f"{name} 以 BOM 开头（BagIt 不允许）")
        text = text[1:]
    entries: dict[str, str] = {}
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        m = _SHA.match(line)
        if not m:
            problems.append(f"{name} 第 {n} 行格式不正确")
            continue
        path = unicodedata.normalize("NFC", decode_path(m.group(2)))
        if path in entries:
            problems.append(f"{name} 中“{path}”出现了两次")
            continue
        entries[path] = m.group(1).lower()
    return entries, problems


def clean_value(value: object) -> str:
    """A bag-info value on one line."""
    text = "" if value is None else str(value)
    return " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in text).split())


def bag_info_bytes(fields: list[tuple[str, object]]) -> bytes:
    return "".join(f"{k}: {clean_value(v)}\n" for k, v in fields).encode("utf-8")


def parse_bag_info(data: bytes) -> dict[str, str]:
    """Labels → values (first occurrence; continuation lines joined)."""
    out: dict[str, str] = {}
    last = None
    for line in data.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines():
        if line[:1] in (" ", "\t") and last:
            out[last] += " " + line.strip()
            continue
        label, sep, value = line.partition(":")
        if not sep:
            continue
        label = label.strip()
        if label not in out:
            out[label] = value.strip()
            last = label
        else:
            last = None
    return out


def parse_trusted_comment(text: str) -> dict[str, str]:
    out = {}
    for part in text.split("\t"):
        k, sep, v = part.partition(":")
        out[k] = v if sep else ""
    return out
