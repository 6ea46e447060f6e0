"""Make the report's fallback font: the characters of Adobe-Japan1 and JIS X 0213 that
IPAexGothic lacks (𠮷 and other name characters), cut from Hanazono Mincho A.

Run by a maintainer, not at install time; needs fontTools and these files:
  apt-get download fonts-hanazono && dpkg-deb -x fonts-hanazono_*.deb hanazono
  poppler-data's /usr/share/poppler/cMap/Adobe-Japan1/UniJIS-UTF32-H
  python tools/fallback_font.py hanazono/usr/share/fonts/truetype/hanazono \\
      /usr/share/poppler/cMap/Adobe-Japan1/UniJIS-UTF32-H
Hanazono is free to copy and modify (Hanazono Font License, or SIL OFL 1.1).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).parents[1] / "reports" / "fonts"


def wanted(cmap_file: Path) -> set[int]:
    """Every code point of Adobe-Japan1 (a CMap's ranges and single mappings) and of
    JIS X 0213:2004."""
    text = cmap_file.read_text(encoding="latin-1")
    points: set[int] = set()
    for first, last, _ in re.findall(r"<([0-9a-f]{8})>\s*<([0-9a-f]{8})>\s*(\d+)", text):
        points.update(range(int(first, 16), int(last, 16) + 1))
    points.update(int(one, 16) for one in re.findall(r"^<([0-9a-f]{8})>\s*\d+$", text, re.M))
    for point in range(0x20, 0x30000):
        try:
            chr(point).encode("euc_jis_2004")
        except UnicodeEncodeError:
            continue
        points.add(point)
    return points


def main(hanazono: Path, cmap_file: Path) -> None:
    """Write fallback-hanamina.ttf beside the main font: the wanted characters the main font
    lacks that Hanazono Mincho A has (HanaMinB adds none of them)."""
    have = TTFont(FONTS / "ipaexg.ttf").getBestCmap()
    missing = {p for p in wanted(cmap_file) if p not in have}
    font = TTFont(hanazono / "HanaMinA.ttf")
    covered = sorted(p for p in missing if p in font.getBestCmap())
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.name_IDs = ["*"]
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=covered)
    subsetter.subset(font)
    font.save(FONTS / "fallback-hanamina.ttf")
    print(f"fallback-hanamina.ttf: {len(covered)} characters;"
          f" {len(missing) - len(covered)} wanted characters in neither font")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
