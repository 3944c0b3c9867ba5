"""Build resources/fonts/BranchdeskSans-*.otf from Noto Sans CJK SC.

The app ships its own Chinese font so that text renders (and PDFs embed a
font) on a PC without a Chinese system font. The full CJK collection is
tens of MB; the subset keeps what Chinese rosters and minutes use: ASCII,
Latin-1, general and CJK punctuation, full-width forms and every CJK
Unified Ideograph of the basic block and Extension A (GB 18030 coverage, so
rare characters in names survive). Run on Debian with fonts-noto-cjk
installed:  python scripts/make_font.py
"""
import sys
from pathlib import Path

from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTCollection

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc"
TARGET = Path(__file__).resolve().parent.parent / "resources" / "fonts"
RANGES = [
    (0x0020, 0x007E), (0x00A0, 0x00FF), (0x2000, 0x206F), (0x2100, 0x218F),
    (0x2190, 0x21FF), (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF),
    (0x2600, 0x26FF), (0x3000, 0x303F), (0x3200, 0x32FF), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
]


def build(weight: str) -> Path:
    collection = TTCollection(SOURCE.format(weight=weight))
    font = next(f for f in collection.fonts
                if f["name"].getDebugName(1).endswith(" SC"))
    options = Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in RANGES for c in range(lo, hi + 1)])
    subsetter.subset(font)
    out = TARGET / f"NotoSansSC-{weight}.otf"
    font.save(out)
    return out


if __name__ == "__main__":
    for w in sys.argv[1:] or ["Regular"]:
        p = build(w)
        print(p, p.stat().st_size // 1024, "KiB")
