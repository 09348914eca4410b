"""Chinese line breaking (避头尾) for reportlab paragraphs.

reportlab's CJK wrapper (platypus.paragraph.cjkFragSplit) knows only some of the
punctuation that must not start a line: a full-width comma, colon, semicolon,
！？》” can start a line, and when two closing marks meet at the margin（“）。”）
the second one starts the next line alone. Official forms must not look like
that. This module replaces the splitter with one that follows the usual rule:
a line never starts with closing punctuation and never ends with opening
punctuation; offending characters are pushed to the next line together with
the character before them. The rest (widths, line objects, the handling of
runs of Latin text) is reportlab's own, adapted from reportlab 5 (BSD licence).
"""

from __future__ import annotations

from functools import lru_cache
from unicodedata import category

from reportlab.lib.utils import isBytes
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.rl_config import _FUZZ

# one character's width in a font and size: a few thousand distinct triples per print run
_char_width = lru_cache(maxsize=65_536)(stringWidth)

CANNOT_START = set(
    "!%),.:;?]}¢°·’\"”‰′″℃∶、。〃〉》」』】〕〗〞﹚﹜！＂％＇），．：；？］｝～￠"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶー—…‥～々")
CANNOT_END = set("$(£¥·‘“〈《「『【〔〖〝﹙﹛＄（．［｛￡￥")


def cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):
    from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

    U = []
    for f in frags:
        text = f.text
        if isBytes(text):
            text = text.decode(encoding)
        if text:
            U.extend([cjkU(t, f, encoding) for t in text])
        else:
            U.append(cjkU(text, f, encoding))
    lines = []
    i = widthUsed = lineStartPos = 0
    maxWidth = maxWidths[0]
    nU = len(U)
    chars = [str(x) for x in U]
    while i < nU:
        u = U[i]
        i += 1
        w = u.width
        if hasattr(w, "normalizedValue"):
            w._normalizer = maxWidth
            w = w.normalizedValue(maxWidth)
        widthUsed += w
        lineBreak = hasattr(u.frag, "lineBreak")
        endLine = (widthUsed > maxWidth + _FUZZ and widthUsed > 0) or lineBreak
        if endLine:
            if not lineBreak:
                i = _cut(chars, lineStartPos, i)
                widthUsed = sum(_w(U[k], maxWidth) for k in range(lineStartPos, i))
            extraSpace = maxWidth - widthUsed
            lines.append(makeCJKParaLine(U[lineStartPos:i], maxWidth, widthUsed, extraSpace, lineBreak,
                                         calcBounds))
            try:
                maxWidth = maxWidths[len(lines)]
            except IndexError:
                maxWidth = maxWidths[-1]
            lineStartPos = i
            widthUsed = 0
    if widthUsed > 0 or lineStartPos < nU:
        widthUsed = sum(_w(U[k], maxWidth) for k in range(lineStartPos, nU))
        lines.append(makeCJKParaLine(U[lineStartPos:], maxWidth, widthUsed, maxWidth - widthUsed, False,
                                     calcBounds))
    return ParaLines(kind=1, lines=lines)


def _cut(chars: list[str], lineStartPos: int, i: int) -> int:
    """chars[i-1] overflowed the line that starts at lineStartPos: where the line ends."""
    n = len(chars)
    u = chars[i - 1]
    cut = i - 1
    if category(u) == "Zs":
        return i                                    # a space may hang in the margin
    if ord(u) < 0x3000:
        # inside a Latin word: go back to a space or to a CJK character
        limit = (lineStartPos + cut) >> 1
        for j in range(cut - 1, limit, -1):
            cj = chars[j]
            if category(cj) == "Zs" or ord(cj) >= 0x3000:
                cut = j + 1
                break
    # 避头尾: no closing mark starts the next line, no opening mark ends this one;
    # never give up the whole line.
    while cut > lineStartPos + 1 and (
            (cut < n and chars[cut] in CANNOT_START) or chars[cut - 1] in CANNOT_END):
        cut -= 1
    if cut <= lineStartPos:
        cut = max(i - 1, lineStartPos + 1)
    return cut


def word_split(word, maxWidths, fontName, fontSize, encoding="utf8"):
    """Replacement for reportlab.lib.textsplit.wordSplit (single-style paragraphs)."""
    if isBytes(word):
        word = word.decode(encoding)
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    chars = list(word)
    widths = [_char_width(c, fontName, fontSize) for c in chars]
    lines = []
    i = lineStartPos = 0
    widthUsed = 0.0
    maxWidth = maxWidths[0]
    while i < len(chars):
        widthUsed += widths[i]
        i += 1
        if widthUsed > maxWidth + _FUZZ and widthUsed > 0:
            i = _cut(chars, lineStartPos, i)
            used = sum(widths[lineStartPos:i])
            lines.append([maxWidth - used, word[lineStartPos:i].strip()])
            try:
                maxWidth = maxWidths[len(lines)]
            except IndexError:
                maxWidth = maxWidths[-1]
            lineStartPos = i
            widthUsed = 0.0
    if lineStartPos < len(chars):
        lines.append([maxWidth - sum(widths[lineStartPos:]), word[lineStartPos:]])
    return lines


def _w(u, maxWidth) -> float:
    w = u.width
    if hasattr(w, "normalizedValue"):
        w._normalizer = maxWidth
        w = w.normalizedValue(maxWidth)
    return w


def install() -> None:
    import reportlab.platypus.paragraph as paragraph
    paragraph.cjkFragSplit = cjk_frag_split
    paragraph.wordSplit = word_split
