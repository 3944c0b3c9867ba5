"""Draw the app's icon: resources/icons/branchdesk.png (256 px) and branchdesk.ico.

A red tile with the white outline of three residential buildings and a gold star
above them: the compound and its party branch. Drawn with Qt so it needs no
drawing program; the .ico (16 to 256 px, for the Windows executable, the
installer and the shortcuts) is packed by Pillow, which matplotlib brings along.

    QT_QPA_PLATFORM=offscreen python scripts/make_icon.py
"""
import math
import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QLinearGradient, QPainter, QPainterPath, QPolygonF

TARGET = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def star(cx: float, cy: float, outer: float) -> QPolygonF:
    inner = outer * 0.382  # the regular five-pointed star's ratio
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append(QPointF(cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return QPolygonF(points)


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 256, size / 256)
    tile = QPainterPath()
    tile.addRoundedRect(QRectF(8, 8, 240, 240), 44, 44)
    fill = QLinearGradient(0, 8, 0, 248)
    fill.setColorAt(0, QColor("#e2372b"))
    fill.setColorAt(1, QColor("#b3121f"))
    p.fillPath(tile, fill)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#ffd23f"))
    p.drawPolygon(star(128, 70, 38))
    # Three buildings, the middle one tallest, each with rows of windows.
    white = QColor("#ffffff")
    for x, top, width in ((46, 140, 48), (104, 116, 48), (162, 140, 48)):
        p.setBrush(white)
        p.drawRoundedRect(QRectF(x, top, width, 212 - top), 4, 4)
        p.setBrush(QColor("#c81d25"))
        y = top + 12
        while y + 12 < 200:
            for wx in (x + 9, x + 27):
                p.drawRect(QRectF(wx, y, 12, 10))
            y += 20
    p.setBrush(white)
    p.drawRoundedRect(QRectF(36, 208, 184, 10), 4, 4)  # the ground line
    p.end()
    return image


def main() -> int:
    QGuiApplication(sys.argv[:1])
    TARGET.mkdir(parents=True, exist_ok=True)
    png = TARGET / "branchdesk.png"
    draw(256).save(str(png))
    from PIL import Image

    big = Image.open(png)
    # Small sizes are drawn again rather than shrunk, so their edges stay sharp.
    frames = {}
    for n in ICO_SIZES:
        path = TARGET / f".icon-{n}.png"
        draw(n).save(str(path))
        frames[n] = Image.open(path).convert("RGBA")
    big.save(TARGET / "branchdesk.ico", sizes=[(n, n) for n in ICO_SIZES],
             append_images=[frames[n] for n in ICO_SIZES if n != 256])
    for n in ICO_SIZES:
        (TARGET / f".icon-{n}.png").unlink()
    print(f"wrote {png} and {TARGET / 'branchdesk.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
