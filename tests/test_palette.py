"""The layer palette read by colour-blind readers: layers that look alike under a simulated
protanopia or deuteranopia differ in marker shape and line dash wherever both draw."""

from __future__ import annotations

import itertools
import math

import pytest

import layers
from geo import store

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
SIMULATIONS = {
    "normal vision": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
}
LOOK_ALIKE = 10.0  # CIEDE2000 below this: not told apart at a glance on a small marker


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def simulated_lab(color: str, matrix) -> tuple[float, float, float]:
    """CIELAB (D65) of an #rrggbb colour as seen under a simulation matrix."""
    rgb = [_linear(int(color[i : i + 2], 16) / 255) for i in (1, 3, 5)]
    r, g, b = (min(max(sum(row[j] * rgb[j] for j in range(3)), 0.0), 1.0) for row in matrix)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def ciede2000(lab1, lab2) -> float:
    """The CIEDE2000 colour difference (Sharma, Wu & Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dh = 0.0 if c1p * c2p == 0 else (h2p - h1p + 180) % 360 - 180
    d_big_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + (360 if h1p + h2p < 360 else -360)) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    rotation = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    sl = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    sc, sh = 1 + 0.045 * cp_mean, 1 + 0.015 * cp_mean * t
    rt = -math.sin(math.radians(2 * rotation)) * rc
    dl, dc, dhh = (l2 - l1) / sl, (c2p - c1p) / sc, d_big_h / sh
    return math.sqrt(dl**2 + dc**2 + dhh**2 + rt * dc * dhh)


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu & Dalal's test data, pairs 1, 7 and 17
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ],
)
def test_ciede2000_matches_the_published_test_pairs(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_deuteranopia_makes_red_and_green_look_alike():
    red, green = "#cc3333", "#669933"
    normal = ciede2000(*(simulated_lab(c, SIMULATIONS["normal vision"]) for c in (red, green)))
    deutan = ciede2000(*(simulated_lab(c, SIMULATIONS["deuteranopia"]) for c in (red, green)))
    assert deutan < normal / 2


@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_layers_that_look_alike_differ_in_shape_and_dash(vision):
    frames = layers.build_all()
    drawn = {
        layer_id: {store.display_coords(geometry)[0] for geometry in frame.geometry}
        for layer_id, frame in frames.items()
    }
    styles = {layer_id: spec.style for layer_id, spec in layers.LAYERS.items()}
    for first, second in itertools.combinations(styles, 2):
        a, b = styles[first], styles[second]
        difference = ciede2000(
            simulated_lab(a["color"], SIMULATIONS[vision]),
            simulated_lab(b["color"], SIMULATIONS[vision]),
        )
        if difference >= LOOK_ALIKE:
            continue
        both = drawn[first] & drawn[second]
        if "point" in both:
            assert a["marker"] != b["marker"], (vision, first, second, round(difference, 1))
        if both & {"line", "polygon"}:
            assert a["dash_array"] != b["dash_array"], (vision, first, second, difference)
