"""A small map that works offline: one point drawn as inline SVG over Serbia's outline. The
outline is the convex hull of the seats of the gazetteer's places (no tiles, no network)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ssekg.namespaces import GEO
from ssekg.places import gazetteer

_POINT = re.compile(
    r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+]?\d+(?:\.\d+)?)\s+([-+]?\d+(?:\.\d+)?)\s*\)\s*$",
    re.IGNORECASE,
)
WIDTH = 240
MARGIN = 8


def parse_point(wkt: str) -> tuple[float, float] | None:
    """(longitude, latitude) of a WKT point (CRS84, an optional CRS IRI first), or None."""
    match = _POINT.match(wkt)
    if match is None:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull, counter-clockwise (Andrew's monotone chain)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


@lru_cache(maxsize=1)
def gazetteer_points() -> tuple[tuple[float, float], ...]:
    """The seats of every place in the packaged gazetteer."""
    found = []
    for wkt in gazetteer().graph.objects(None, GEO.asWKT):
        point = parse_point(str(wkt))
        if point is not None:
            found.append(point)
    return tuple(found)


@dataclass(frozen=True)
class PointMap:
    """What the template draws: the SVG size, the outline path, the seats and the point."""

    width: int
    height: int
    outline: str
    seats: list[tuple[float, float]]
    x: float
    y: float
    lon: float
    lat: float


def point_map(lon: float, lat: float) -> PointMap:
    """The map for one point; the frame grows to include a point outside Serbia."""
    seats = list(gazetteer_points())
    frame = seats + [(lon, lat)]
    west, east = min(p[0] for p in frame), max(p[0] for p in frame)
    south, north = min(p[1] for p in frame), max(p[1] for p in frame)
    squeeze = math.cos(math.radians((north + south) / 2))
    span_x = max((east - west) * squeeze, 1e-6)
    span_y = max(north - south, 1e-6)
    scale = (WIDTH - 2 * MARGIN) / span_x
    height = round(span_y * scale + 2 * MARGIN)

    def project(p: tuple[float, float]) -> tuple[float, float]:
        return (
            round(MARGIN + (p[0] - west) * squeeze * scale, 1),
            round(MARGIN + (north - p[1]) * scale, 1),
        )

    hull = [project(p) for p in _hull(seats)]
    outline = "M" + " L".join(f"{x} {y}" for x, y in hull) + " Z" if hull else ""
    x, y = project((lon, lat))
    return PointMap(WIDTH, height, outline, [project(p) for p in seats], x, y, lon, lat)
