"""The tray icon: one valid drawing, every state at every size, states that can be told apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer

from ui.icons import (
    APP_SIZES,
    DESKTOP_PNG_SIZES,
    HOME_MARK_COLOURS,
    TRAY_SIZES,
    IconState,
    app_icon,
    asset_path,
    home_mark_colour,
    render_state,
    tray_icon,
)

ROOT = Path(__file__).resolve().parents[2]
ALL_STATES = [IconState(waiting, paused, damaged) for waiting in (False, True)
              for paused in (False, True) for damaged in (False, True)]


def _mean_alpha(image: QImage) -> float:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    total = sum(image.pixelColor(x, y).alpha()
                for x in range(image.width()) for y in range(image.height()))
    return total / (image.width() * image.height())


def _mean_luma(image: QImage) -> float:
    """Mean luminance of the icon over a black panel, i.e. how much light it gives off."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    total = 0.0
    for x in range(image.width()):
        for y in range(image.height()):
            c = image.pixelColor(x, y)
            total += (0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF()) * c.alphaF()
    return total / (image.width() * image.height())


def _mean_saturation(image: QImage) -> float:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    values = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
    opaque = [c for c in values if c.alpha() > 0]
    return sum(c.hsvSaturationF() for c in opaque) / len(opaque)


def _corner_difference(a: QImage, b: QImage) -> int:
    """How many pixels differ in the top-right quarter."""
    half = a.width() // 2
    return sum(a.pixel(x, y) != b.pixel(x, y) for x in range(half, a.width()) for y in range(half))


def test_the_drawing_is_valid_svg():
    renderer = QSvgRenderer(str(asset_path("wise.svg")))
    assert renderer.isValid()
    assert renderer.defaultSize() == QSize(32, 32)


@pytest.mark.parametrize("state", ALL_STATES)
def test_every_state_has_a_crisp_pixmap_at_every_tray_size(qapp, state):
    icon = tray_icon(state)
    assert not icon.isNull()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(TRAY_SIZES)
    for size in TRAY_SIZES:
        pixmap = icon.pixmap(size, size)
        assert pixmap.size() == QSize(size, size)
        assert _mean_alpha(pixmap.toImage()) > 40, f"{state} at {size} px is (nearly) empty"


def test_icons_are_made_once_per_state(qapp):
    assert tray_icon(IconState(paused=True)) is tray_icon(IconState(paused=True))


def test_app_icon_is_the_plain_owl_up_to_256(qapp):
    icon = app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(APP_SIZES)
    assert icon.pixmap(32, 32).toImage() == tray_icon(IconState()).pixmap(32, 32).toImage()


def test_paused_is_quieter_than_normal(qapp):
    normal, paused = render_state(IconState(), 32), render_state(IconState(paused=True), 32)
    assert _mean_alpha(paused) < 0.7 * _mean_alpha(normal)
    assert _mean_luma(paused) < 0.7 * _mean_luma(normal)
    assert _mean_saturation(paused) < 0.05 < _mean_saturation(normal)


@pytest.mark.parametrize("paused", [False, True])
@pytest.mark.parametrize("size", [16, 22, 32])
def test_a_waiting_reflection_shows_a_badge_top_right_only(qapp, paused, size):
    plain = render_state(IconState(paused=paused), size)
    badged = render_state(IconState(reflection_waiting=True, paused=paused), size)
    assert _corner_difference(plain, badged) >= size * size // 16
    # The rest of the owl (left half, bottom half) is untouched.
    half = size // 2
    assert plain.copy(0, 0, half, size) == badged.copy(0, 0, half, size)
    assert plain.copy(0, half, size, size - half) == badged.copy(0, half, size, size - half)


def test_the_badge_stays_in_full_colour_when_paused(qapp):
    badged = render_state(IconState(reflection_waiting=True, paused=True), 32)
    corner = badged.copy(24, 0, 8, 8).convertToFormat(QImage.Format.Format_ARGB32)
    amber = [corner.pixelColor(x, y) for x in range(8) for y in range(8)]
    assert any(c.alpha() == 255 and c.hsvSaturationF() > 0.6 for c in amber)


@pytest.mark.parametrize("size", [16, 22, 32])
def test_a_second_homes_mark_sits_bottom_left_in_full_colour(qapp, size):
    plain = render_state(IconState(paused=True), size)
    marked = render_state(IconState(paused=True, home_mark=home_mark_colour("~/wise-work")),
                          size)
    half = size // 2
    assert plain.copy(0, 0, size, half) == marked.copy(0, 0, size, half)  # eyes and badge
    assert plain.copy(half, 0, size - half, size) == marked.copy(half, 0, size - half, size)
    corner = marked.copy(0, size - half, half, half).convertToFormat(QImage.Format.Format_ARGB32)
    colours = [corner.pixelColor(x, y) for x in range(half) for y in range(half)]
    assert any(c.alpha() == 255 and c.hsvSaturationF() > 0.5 for c in colours)


def test_a_home_keeps_its_mark_colour():
    colour = home_mark_colour("~/wise-work")
    assert colour in HOME_MARK_COLOURS and home_mark_colour("~/wise-work") == colour
    assert len({home_mark_colour(f"~/wise-{n}") for n in range(20)}) == len(HOME_MARK_COLOURS)


@pytest.mark.parametrize("waiting", [False, True])
@pytest.mark.parametrize("size", [16, 22, 32])
def test_a_damaged_journal_shows_a_red_badge_over_any_other(qapp, waiting, size):
    amber = render_state(IconState(reflection_waiting=True), size)
    red = render_state(IconState(reflection_waiting=waiting, journal_damaged=True), size)
    assert _corner_difference(amber, red) >= size * size // 32
    centre = red.pixelColor(size - max(3, round(size * 0.15)), max(3, round(size * 0.15)))
    assert centre.red() > 180 and centre.green() < 90 and centre.blue() < 90, centre.name()


def test_desktop_copies_match_the_drawing():
    icons = ROOT / "app" / "desktop" / "icons"
    assert (icons / "wise.svg").read_bytes() == asset_path("wise.svg").read_bytes(), (
        "app/desktop/icons is stale: run `python -m ui.icons app/desktop/icons`")
    for size in DESKTOP_PNG_SIZES:
        image = QImage(str(icons / f"wise-{size}.png"))
        assert image.size() == QSize(size, size)
        assert image.hasAlphaChannel()
