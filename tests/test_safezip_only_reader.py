"""app/services/safezip is the only zip reader (issue 15 item 5, issue 19 item 1).

Bundles, full backups and .xlsx workbooks are all read through it, so a check added there (Unicode
Path fields, local headers, names that collide after Windows folds them) protects all three. This
walks every module of app/ and fails on a `zipfile.ZipFile(...)` opened for reading (no mode, or
mode "r"), `zipfile.is_zipfile`, `zipfile.Path` or openpyxl's `load_workbook` given anything but
the checked file outside the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "app"
READER = ROOT / "services" / "safezip"
WRITE_MODES = {"w", "x", "a"}


def _mode(call: ast.Call) -> str | None:
    for kw in call.keywords:
        if kw.arg == "mode" and isinstance(kw.value, ast.Constant):
            return kw.value.value
    if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant):
        return call.args[1].value
    return None


def _callee(call: ast.Call) -> str:
    f = call.func
    if isinstance(f, ast.Attribute):
        base = f.value.id if isinstance(f.value, ast.Name) else ""
        return f"{base}.{f.attr}"
    return f.id if isinstance(f, ast.Name) else ""


def zip_reads(path: Path) -> list[str]:
    found = []
    where = path.relative_to(ROOT.parent) if ROOT.parent in path.parents else path.name
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        if name in ("zipfile.ZipFile", "ZipFile") and _mode(node) not in WRITE_MODES:
            found.append(f"{where}:{node.lineno} {name}(…) opened for reading")
        if name in ("zipfile.is_zipfile", "is_zipfile", "zipfile.Path"):
            found.append(f"{where}:{node.lineno} {name}")
        if name.endswith("load_workbook"):
            arg = node.args[0] if node.args else None
            if not (isinstance(arg, ast.Attribute) and arg.attr == "fileobj"):
                found.append(f"{where}:{node.lineno} load_workbook on an unchecked file")
    return found


def test_safezip_is_the_only_zip_reader():
    offenders = []
    for py in sorted(ROOT.rglob("*.py")):
        if READER in py.parents:
            continue
        offenders += zip_reads(py)
    assert offenders == [], "open zips only through app.services.safezip:\n" + "\n".join(offenders)


def test_the_check_itself_finds_a_reader(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import zipfile\nzipfile.ZipFile('x.zip')\nzipfile.ZipFile('y.zip', 'w')\n"
                      "from openpyxl import load_workbook\nload_workbook('z.xlsx')\n", encoding="utf-8")
    found = zip_reads(sample)
    assert len(found) == 2 and "x.zip" not in found[0] and ":2 " in found[0] and ":5 " in found[1]


def test_the_three_callers_use_it():
    for rel in ("services/bundle/zip_reader.py", "services/backup/source.py", "services/excel/safety.py",
                "services/bundle/zip_sink.py"):                 # the zip writer reads its archive back
        assert "app.services.safezip" in (ROOT / rel).read_text(encoding="utf-8"), rel
