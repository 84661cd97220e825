"""GeoJSON (RFC 7946) of the actors: one Feature per actor at its own point, with its main
properties in the chosen language; an actor with no point of its own has no geometry
(``null``) rather than a guessed one."""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from ssekg.exports.records import Records, display_name
from ssekg.exports.table import COLUMNS

#: The table columns a map pop-up needs, under the same keys.
PROPERTIES = (
    "name", "actorType", "legalForm", "status", "municipality", "district", "region",
    "address", "website", "practice", "targetGroup", "function", "foundingYear",
)  # fmt: skip


def feature_collection(records: Records, lang: str) -> dict[str, Any]:
    columns = [c for c in COLUMNS if c.key in PROPERTIES]
    features = []
    for record in sorted(records.actors, key=lambda r: (display_name(r, lang), r.iri)):
        properties: dict[str, Any] = {"iri": record.iri}
        for column in columns:
            value = column.value(record, records, lang)
            properties[column.key] = value or None
        point = record.point()
        features.append(
            {
                "type": "Feature",
                "id": record.iri,
                "geometry": {"type": "Point", "coordinates": [point[0], point[1]]}
                if point is not None
                else None,
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(records: Records, out: BinaryIO, lang: str) -> None:
    data = feature_collection(records, lang)
    out.write(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
