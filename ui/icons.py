"""Wise's icons. One drawing, `ui/assets/wise.svg` (a calm owl), is rendered crisp at each
size; the tray's states are painted over it in code: a waiting reflection adds an amber
badge, paused nudges turn the owl grey and quiet, a damaged journal adds a red badge,
a second home (WISE_HOME) adds a small coloured square."""

from __future__ import annotations

import functools
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap
from PySide6.QtSvg import QSvgRenderer

ASSETS = Path(__file__).resolve().parent / "assets"
ICON_FILE = "wise.svg"

TRAY_SIZES = (16, 22, 24, 32, 48, 64, 128)
APP_SIZES = (*TRAY_SIZES, 256)
DESKTOP_PNG_SIZES = (48, 64, 128, 256)

# The badge says "something is ready for you", so it is the one warm, saturated colour;
# its dark rim keeps it visible on light panels, the transparent gap around it separates
# it from the owl on every panel.
BADGE_FILL = QColor("#F5A524")
BADGE_RIM = QColor("#5A3200")
# A damaged journal: the one alarming colour, in the same place, over any other badge.
DAMAGE_FILL = QColor("#D93025")
DAMAGE_RIM = QColor("#4A0A05")
# Paused: grey and at about half strength. Quieter, still findable.
PAUSED_OPACITY = 0.55


# A second home (WISE_HOME) marks its owl with a small square in one of these, picked from
# the folder's name, so two trays side by side can be told apart. Blues, greens and purples:
# never the badge's amber, and apart from the owl's browns.
HOME_MARK_COLOURS = ("#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#7B5CD6")


@dataclass(frozen=True)
class IconState:
    reflection_waiting: bool = False
    paused: bool = False
    home_mark: str | None = None  # the colour of a second home's mark
    journal_damaged: bool = False
    # A focus session: how much ring is left, 0..RING_STEPS (None: no session running).
    focus_ring: int | None = None
    focus_paused: bool = False


def home_mark_colour(label: str) -> str:
    """The same colour for the same home, every start (a CRC, not Python's salted hash)."""
    return HOME_MARK_COLOURS[zlib.crc32(label.encode("utf-8")) % len(HOME_MARK_COLOURS)]


def asset_path(name: str) -> Path:
    """The path of a file in ui/assets/."""
    return ASSETS / name


@functools.cache
def _renderer() -> QSvgRenderer:
    renderer = QSvgRenderer(str(asset_path(ICON_FILE)))
    if not renderer.isValid():
        raise RuntimeError(f"the icon drawing {asset_path(ICON_FILE)} could not be read")
    return renderer


def _blank(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    return image


def render_owl(size: int) -> QImage:
    """The plain drawing at size × size pixels, rendered from the vector (never scaled)."""
    image = _blank(size)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _renderer().render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def _quieted(image: QImage) -> QImage:
    """The same shape in grey at PAUSED_OPACITY."""
    # Grey from the unpremultiplied colours (so soft edges don't darken), then cut back to
    # the original shape by its alpha.
    grey = image.convertToFormat(QImage.Format.Format_ARGB32).convertToFormat(
        QImage.Format.Format_Grayscale8).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(grey)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
    painter.drawImage(0, 0, image)
    painter.end()
    result = _blank(image.width())
    painter = QPainter(result)
    painter.setOpacity(PAUSED_OPACITY)
    painter.drawImage(0, 0, grey)
    painter.end()
    return result


def _badge_geometry(size: int) -> tuple[QPointF, float, float]:
    """Centre, radius and surrounding gap of the badge, in the top-right corner."""
    # At 16 px a 6 px dot on the ear tuft leaves both eyes whole.
    radius = max(3.0, size * 0.15)
    gap = max(0.5, size * 0.04)
    centre = QPointF(size - radius, radius)
    return centre, radius, gap


def _with_badge(image: QImage, fill: QColor = BADGE_FILL, rim_colour: QColor = BADGE_RIM
                ) -> QImage:
    size = image.width()
    centre, radius, gap = _badge_geometry(size)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(Qt.GlobalColor.black)
    painter.drawEllipse(centre, radius + gap, radius + gap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
    rim = max(1.0, size / 22)
    painter.setPen(QPen(rim_colour, rim))
    painter.setBrush(fill)
    inset = radius - rim / 2
    painter.drawEllipse(centre, inset, inset)
    painter.end()
    return image


def _with_home_mark(image: QImage, colour: str) -> QImage:
    """A small rounded square in the bottom-left corner (the badge is a round dot top
    right), cut out of the owl with a thin gap so it reads on any panel."""
    size = image.width()
    side = max(5.0, size * 0.32)
    gap = max(0.5, size * 0.04)
    box = QRectF(0, size - side, side, side)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(Qt.GlobalColor.black)
    painter.drawRoundedRect(box.adjusted(-gap, -gap, gap, gap), side / 4, side / 4)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
    fill = QColor(colour)
    rim = max(1.0, size / 22)
    painter.setPen(QPen(fill.darker(170), rim))
    painter.setBrush(fill)
    inset = rim / 2
    painter.drawRoundedRect(box.adjusted(inset, inset, -inset, -inset), side / 5, side / 5)
    painter.end()
    return image


# The focus ring: time left as an arc that empties clockwise from the top. Its meaning is
# its length, never its colour: a mid-tone blue (about 3:1 against both a light and a dark
# panel) on a faint track. Paused: the arc goes grey and the owl quiet, as paused nudges do.
RING_ARC = QColor("#3D7FE0")
RING_PAUSED = QColor("#8A8A8A")
RING_TRACK = QColor(128, 128, 128, 80)


def _with_focus_ring(owl: QImage, left: int, steps: int, paused: bool) -> QImage:
    """The owl shrunk inside a ring whose arc is the time left."""
    size = owl.width()
    width = max(2.0, size * 0.13)  # 2 px at 16: thinner would vanish into the panel
    inner = size - 2 * width
    image = _blank(size)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    offset = (size - inner) / 2
    owl_small = render_owl(max(8, round(inner)))
    painter.drawImage(QRectF(offset, offset, inner, inner),
                      _quieted(owl_small) if paused else owl_small)
    box = QRectF(width / 2, width / 2, size - width, size - width)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(RING_TRACK, width))
    painter.drawEllipse(box)
    if left:
        painter.setPen(QPen(RING_PAUSED if paused else RING_ARC, width, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.FlatCap))
        painter.drawArc(box, 90 * 16, round(-360 * 16 * left / steps))  # clockwise
    painter.end()
    return image


def render_state(state: IconState, size: int) -> QImage:
    """The icon for a tray state at size × size pixels."""
    image = render_owl(size)
    if state.focus_ring is not None:
        from app.focus import RING_STEPS

        image = _with_focus_ring(image, state.focus_ring, RING_STEPS, state.focus_paused)
    if state.paused:
        image = _quieted(image)
    if state.journal_damaged:
        image = _with_badge(image, DAMAGE_FILL, DAMAGE_RIM)
    elif state.reflection_waiting:
        image = _with_badge(image)
    if state.home_mark:
        image = _with_home_mark(image, state.home_mark)
    return image


def _icon(state: IconState, sizes: tuple[int, ...]) -> QIcon:
    icon = QIcon()
    for size in sizes:
        icon.addPixmap(QPixmap.fromImage(render_state(state, size)))
    return icon


@functools.cache
def tray_icon(state: IconState) -> QIcon:
    """The tray icon for a state, with a pixmap drawn for each common tray size."""
    return _icon(state, TRAY_SIZES)


@functools.cache
def app_icon() -> QIcon:
    """The window and application icon: the plain owl, up to 256 px."""
    return _icon(IconState(), APP_SIZES)


def export_desktop_icons(dest: Path) -> list[Path]:
    """Write the copies the desktop needs (wise.svg and wise-<size>.png) into dest.

    Run `python -m ui.icons app/desktop/icons` after changing the drawing."""
    dest.mkdir(parents=True, exist_ok=True)
    written = [dest / ICON_FILE]
    shutil.copyfile(asset_path(ICON_FILE), written[0])
    for size in DESKTOP_PNG_SIZES:
        path = dest / f"wise-{size}.png"
        if not render_owl(size).save(str(path)):  # PNG, by the name
            raise OSError(f"could not write {path}")
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for written_path in export_desktop_icons(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        sys.stdout.write(f"{written_path}\n")
