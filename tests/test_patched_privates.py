"""The privates of openpyxl and reportlab that our code replaces or reads are still there.

pyproject.toml bounds both libraries to the minor versions these patches were written for;
before raising a bound, this test says which patch needs checking against the new version.
Each entry names the private, the library and the module of ours that relies on it; the
behaviour tests below check that our replacement is what actually runs.
"""

from __future__ import annotations

import importlib
import inspect
from importlib import metadata

import pytest

# (library, "module:attribute.path", our module that patches or reads it)
PRIVATES = [
    ("openpyxl", "openpyxl.worksheet._read_only:ReadOnlyWorksheet._get_size", "app/services/excel/readers.py"),
    ("openpyxl", "openpyxl.worksheet._read_only:ReadOnlyWorksheet._get_source", "app/services/excel/readers.py"),
    ("openpyxl", "openpyxl.worksheet._reader:DATA_TAG", "app/services/excel/readers.py"),
    ("openpyxl", "openpyxl.worksheet._reader:DIMENSION_TAG", "app/services/excel/readers.py"),
    ("openpyxl", "openpyxl.worksheet.dimensions:SheetDimension.from_tree", "app/services/excel/readers.py"),
    ("openpyxl", "openpyxl.xml.functions:iterparse", "app/services/excel/readers.py"),
    ("reportlab", "reportlab.platypus.paragraph:cjkFragSplit", "app/services/forms/typeset.py"),
    ("reportlab", "reportlab.platypus.paragraph:wordSplit", "app/services/forms/typeset.py"),
    ("reportlab", "reportlab.platypus.paragraph:ParaLines", "app/services/forms/typeset.py"),
    ("reportlab", "reportlab.platypus.paragraph:cjkU", "app/services/forms/typeset.py"),
    ("reportlab", "reportlab.platypus.paragraph:makeCJKParaLine", "app/services/forms/typeset.py"),
    ("reportlab", "reportlab.rl_config:_FUZZ", "app/services/forms/typeset.py"),
    ("reportlab", "reportlab.lib.utils:isBytes", "app/services/forms/typeset.py"),
    ("reportlab", "reportlab.pdfbase.ttfonts:TTFontFace.get_table", "app/services/forms/fontmem.py"),
    ("reportlab", "reportlab.pdfbase.ttfonts:TTFontFace.get_table_pos", "app/services/forms/fontmem.py"),
    ("reportlab", "reportlab.pdfbase.ttfonts:makeToUnicodeCMap", "app/services/forms/fonts.py"),
    ("reportlab", "reportlab.lib.rl_accel:fp_str", "app/services/forms/speed.py"),
]
# reportlab modules whose own `fp_str` global speed.py rebinds
FP_STR_MODULES = ("reportlab.pdfgen.canvas", "reportlab.pdfgen.textobject", "reportlab.pdfgen.pathobject",
                  "reportlab.pdfbase.pdfdoc", "reportlab.pdfbase.ttfonts", "reportlab.platypus.tables")


def _resolve(target: str):
    module_name, _, path = target.partition(":")
    obj = importlib.import_module(module_name)
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("library,target,ours", PRIVATES, ids=[p[1] for p in PRIVATES])
def test_private_is_there(library, target, ours):
    try:
        _resolve(target)
    except (ImportError, AttributeError):
        pytest.fail(f"{library} {metadata.version(library)} no longer has {target}, which {ours} replaces or "
                    f"reads. Adapt {ours} to this version (or keep the bound in pyproject.toml).")


@pytest.mark.parametrize("module_name", FP_STR_MODULES)
def test_fp_str_is_a_module_global_where_speed_rebinds_it(module_name):
    module = importlib.import_module(module_name)
    assert "fp_str" in vars(module), (f"reportlab {metadata.version('reportlab')}: {module_name} no longer has its "
                                      "own fp_str; app/services/forms/speed.py would memoise nothing there")


def test_reportlab_looks_up_the_line_breakers_at_call_time():
    """typeset.install() rebinds module globals: that only works if reportlab calls them by name."""
    import reportlab.platypus.paragraph as paragraph
    source = inspect.getsource(paragraph)
    assert "return cjkFragSplit(frags" in source and "= wordSplit(" in source, (
        f"reportlab {metadata.version('reportlab')} no longer calls cjkFragSplit/wordSplit through the module; "
        "app/services/forms/typeset.py's 避头尾 line breaking would silently stop applying")


def test_the_replacements_are_what_runs(tmp_path, monkeypatch):
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    import reportlab.platypus.paragraph as paragraph

    from app.services.excel.readers import _size_from_sheet_head, open_xlsx
    from app.services.forms import typeset
    from app.services.forms.fonts import register_fonts

    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    book.save(tmp_path / "a.xlsx")
    # python-calamine reads ordinary sheets; openpyxl (and so the patch) reads those whose cells
    # would make a grid too big for calamine: make this one count as such.
    from app.services.excel import readers
    monkeypatch.setattr(readers, "GRID_CELLS", 0)
    source = open_xlsx(tmp_path / "a.xlsx")
    try:
        assert ReadOnlyWorksheet._get_size is _size_from_sheet_head
        assert next(source.sheets[0].rows()) is not None       # and it still reads the sheet
    finally:
        source.close()
    register_fonts()
    assert paragraph.cjkFragSplit is typeset.cjk_frag_split and paragraph.wordSplit is typeset.word_split
