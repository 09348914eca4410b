"""Build the app's Chinese TrueType fonts from Debian's Noto Sans CJK (OFL 1.1).

reportlab embeds only TrueType-outline (glyf) fonts; Noto Sans CJK ships CFF
outlines, which reportlab refuses. This script, run once at development time
(fontTools is a build dependency, not a runtime one), makes:

    resources/fonts/TishengSansSC-Regular.ttf
    resources/fonts/TishengSansSC-Bold.ttf

Steps, per weight:
  1. open the .ttc and pick the face whose name ID 4 ends in " SC" (not a fixed index);
  2. subset it to the repertoire in UNICODE_RANGES below (no OpenType layout
     features: reportlab ignores GSUB, and `locl`/`vert` alternates would double
     the glyph count);
  3. redraw every glyph through Cu2QuPen → TTGlyphPen (cubic → quadratic);
  4. new glyf/loca, maxp 1.0, post format 2, sfnt version 1.0; drop CFF and VORG;
  5. rename the family to "Tisheng Sans SC" (OFL allows modified versions; Noto
     declares no Reserved Font Name) and record the source in the name table.

Usage:
    python tools/build_font.py [--source-dir /usr/share/fonts/opentype/noto]
                               [--out resources/fonts] [--weights Regular,Bold]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.ttLib.tables._g_a_s_p import GASP_DOGRAY, GASP_SYMMETRIC_SMOOTHING

FAMILY = "Tisheng Sans SC"
PS_FAMILY = "TishengSansSC"
MAX_ERR = 1.0  # cu2qu tolerance in font units (1000 units per em)

# GB18030-relevant blocks (everything GB18030 maps that a Chinese school form can
# contain), plus CJK Ext-A in full. Hangul and other scripts are left out.
UNICODE_RANGES: list[tuple[int, int]] = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x024F),  # Latin Extended-A/B (pinyin with tones: ā ǎ ü ǘ)
    (0x0250, 0x02FF),  # IPA (ɑ ɡ) and spacing modifiers (ˇ ˉ ˊ ˋ ˙)
    (0x0300, 0x036F),  # combining marks
    (0x0370, 0x03FF),  # Greek (GB2312)
    (0x0400, 0x04FF),  # Cyrillic (GB2312)
    (0x1E00, 0x1EFF),  # Latin Extended Additional (ḿ, ẑ)
    (0x2000, 0x206F),  # General Punctuation (— ‘ ’ “ ” … ‰ ※)
    (0x20A0, 0x20CF),  # currency (€)
    (0x2100, 0x214F),  # letterlike (℃ № ℉)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ ⅰ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (≤ ≥ √ ∑)
    (0x2300, 0x23FF),  # misc technical (⌒)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈)
    (0x2500, 0x259F),  # box drawing, block elements
    (0x25A0, 0x25FF),  # geometric shapes (□ ■ ○ ● △)
    (0x2600, 0x27BF),  # misc symbols, dingbats (★ ☆ ✓)
    (0x2E80, 0x2FDF),  # CJK radicals supplement, Kangxi radicals
    (0x2FF0, 0x2FFF),  # ideographic description characters
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〈〉《》「」【】〔〕)
    (0x3040, 0x30FF),  # kana (in GB18030)
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31EF),  # Bopomofo extended, CJK strokes
    (0x3200, 0x33FF),  # enclosed CJK (㈠ ㊣), CJK compatibility (㎡ ㎏)
    (0x3400, 0x4DBF),  # CJK Extension A (䶮 …)
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE6F),  # CJK compatibility forms, small form variants
    (0xFF00, 0xFFEF),  # half-width and full-width forms
    (0xFFFD, 0xFFFD),  # replacement character
    # CJK Extension B and later: every ideograph the SC face maps there. These are
    # the rare characters real rosters contain (𠮷, 𡒄, 𨱏 …); only ~2,400 glyphs.
    (0x20000, 0x3134F),
]


def find_sc_face(ttc_path: Path) -> int:
    """Index of the face whose full name (name ID 4, weight suffix removed) ends in ' SC'."""
    coll = TTCollection(str(ttc_path), lazy=True)
    try:
        for i, face in enumerate(coll.fonts):
            full = face["name"].getDebugName(4) or ""
            for suffix in (" Regular", " Bold"):
                full = full.removesuffix(suffix)
            if full.endswith(" SC") and "Mono" not in full:
                return i
    finally:
        coll.close()
    raise SystemExit(f"{ttc_path}: no face whose name ID 4 ends in ' SC'")


def wanted_codepoints(font: TTFont) -> list[int]:
    cmap = font.getBestCmap()
    return sorted(cp for cp in cmap if any(lo <= cp <= hi for lo, hi in UNICODE_RANGES))


def subset_font(font: TTFont) -> None:
    opts = subset.Options()
    opts.layout_features = []
    opts.notdef_outline = True
    opts.notdef_glyph = True
    opts.hinting = False
    opts.desubroutinize = True
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.glyph_names = True
    opts.drop_tables += ["VORG", "BASE"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=wanted_codepoints(font))
    sub.subset(font)


def cff_to_glyf(font: TTFont) -> None:
    order = font.getGlyphOrder()
    glyphset = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyphset[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")

    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(order)
    for attr, value in dict(maxZones=1, maxTwilightPoints=0, maxStorage=0, maxFunctionDefs=0,
                            maxInstructionDefs=0, maxStackElements=0, maxSizeOfInstructions=0,
                            maxComponentElements=0, maxComponentDepth=0, maxPoints=0,
                            maxContours=0, maxCompositePoints=0, maxCompositeContours=0).items():
        setattr(maxp, attr, value)
    font["maxp"] = maxp  # points/contours are recalculated from glyf on save

    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order

    gasp = newTable("gasp")  # unhinted outlines: smooth at every size
    gasp.version = 1
    gasp.gaspRange = {0xFFFF: GASP_DOGRAY | GASP_SYMMETRIC_SMOOTHING}
    font["gasp"] = gasp

    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont, weight: str, source_name: str, source_version: str) -> None:
    name = font["name"]
    keep = {0, 7, 8, 9, 10, 11, 12, 13, 14}
    name.names = [r for r in name.names if r.nameID in keep]
    full = f"{FAMILY} {weight}" if weight != "Regular" else FAMILY
    ps = f"{PS_FAMILY}-{weight}"
    version = f"Version {source_version}"
    desc = (f"Converted from {source_name} {source_version} (Debian fonts-noto-cjk) to TrueType "
            f"outlines and subset for the Tisheng app by tools/build_font.py. "
            f"Licensed under the SIL Open Font License 1.1.")
    for nid, text in {1: FAMILY, 2: weight, 3: f"{source_version};TISHENG;{ps}", 4: full,
                      5: version, 6: ps, 10: desc}.items():
        name.setName(text, nid, 3, 1, 0x409)
        name.setName(text, nid, 1, 0, 0)
    font["OS/2"].fsType = 0  # installable embedding (as the source)


def build_one(ttc: Path, weight: str, out: Path) -> Path:
    t0 = time.monotonic()
    idx = find_sc_face(ttc)
    font = TTFont(str(ttc), fontNumber=idx, lazy=False)
    source_name = font["name"].getDebugName(4)
    source_version = font["name"].getDebugName(5).split(";")[0].replace("Version ", "")
    print(f"[{weight}] {ttc.name} face {idx}: {source_name} {source_version}", flush=True)
    subset_font(font)
    print(f"[{weight}] subset: {len(font.getGlyphOrder())} glyphs, "
          f"{len(font.getBestCmap())} code points ({time.monotonic() - t0:.0f}s)", flush=True)
    cff_to_glyf(font)
    rename(font, weight, source_name, source_version)
    dest = out / f"{PS_FAMILY}-{weight}.ttf"
    tmp = dest.with_suffix(".ttf.tmp")
    font.save(str(tmp))
    tmp.replace(dest)
    print(f"[{weight}] wrote {dest} ({dest.stat().st_size / 1e6:.1f} MB, "
          f"{time.monotonic() - t0:.0f}s)", flush=True)
    return dest


def check(path: Path) -> None:
    """The result must load in reportlab and cover the characters forms need."""
    from reportlab.pdfbase.ttfonts import TTFont as RLFont

    RLFont("check", str(path))
    cmap = TTFont(str(path)).getBestCmap()
    for ch in "提升工程欧阳司马䶮𠮷（）：、。“”℃①★":
        if ord(ch) not in cmap:
            raise SystemExit(f"{path.name}: missing {ch!r} U+{ord(ch):04X}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source-dir", type=Path, default=Path("/usr/share/fonts/opentype/noto"))
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "resources" / "fonts")
    ap.add_argument("--weights", default="Regular,Bold")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for weight in args.weights.split(","):
        dest = build_one(args.source_dir / f"NotoSansCJK-{weight}.ttc", weight, args.out)
        check(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
