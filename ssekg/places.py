"""The gazetteer: find the place a name refers to, in either script, with or without the
"Opština" / "Grad" / "Gradska opština" prefix, and tell the district it lies in."""

from __future__ import annotations

from functools import lru_cache

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from ssekg.namespaces import PLACE, SSEKG
from ssekg.resources import data_dir
from ssekg.text import fold

PLACES_FILE = "places.ttl"

# Folded prefixes, longest first, and the class a prefix asks for.
_PREFIXES: tuple[tuple[str, URIRef], ...] = (
    ("gradska opstina ", SSEKG.CityMunicipality),
    ("opstina ", SSEKG.Municipality),
    ("grad ", SSEKG.City),
)
_LOCAL_CLASSES = (SSEKG.City, SSEKG.Municipality, SSEKG.CityMunicipality)


def _split_prefix(key: str) -> tuple[str, URIRef | None]:
    for prefix, cls in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :], cls
    return key, None


class Gazetteer:
    """Places of ``ssekg/ontology/places.ttl`` (or of a graph given), indexed by name."""

    def __init__(self, graph: Graph | None = None) -> None:
        if graph is None:
            graph = Graph()
            text = data_dir("ontology").joinpath(PLACES_FILE).read_text(encoding="utf-8")
            graph.parse(data=text, format="turtle")
        self.graph = graph
        self._parents: dict[str, list[str]] = {}
        for s, o in graph.subject_objects(SSEKG.partOf):
            self._parents.setdefault(str(s), []).append(str(o))
        self._classes: dict[str, set[str]] = {}
        for s, o in graph.subject_objects(RDF.type):
            self._classes.setdefault(str(s), set()).add(str(o))
        self._local: dict[str, set[str]] = {}
        self._districts: dict[str, set[str]] = {}
        for place, classes in self._classes.items():
            if classes & {str(c) for c in _LOCAL_CLASSES}:
                index = self._local
            elif str(SSEKG.District) in classes:
                index = self._districts
            else:
                continue
            for key in self._keys(place):
                index.setdefault(key, set()).add(place)

    def _keys(self, place: str) -> set[str]:
        keys: set[str] = set()
        subject = URIRef(place)
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.notation):
            for label in self.graph.objects(subject, prop):
                key = fold(str(label))
                keys.add(key)
                keys.add(_split_prefix(key)[0])
        return keys

    def ancestors(self, place: str) -> list[str]:
        """Every place the given one is part of, nearest first."""
        seen: list[str] = []
        todo = list(self._parents.get(place, []))
        while todo:
            parent = todo.pop(0)
            if parent not in seen:
                seen.append(parent)
                todo.extend(self._parents.get(parent, []))
        return seen

    def district_of(self, place: str) -> str | None:
        """The district (or RS-00, Belgrade) of a place, or None above that level."""
        for candidate in [place, *self.ancestors(place)]:
            if str(SSEKG.District) in self._classes.get(candidate, set()):
                return candidate
        return None

    def _district_iris(self, district: str) -> set[str]:
        if district.startswith(str(PLACE)):
            return {district}
        if str(PLACE) + district in self._classes:
            return {str(PLACE) + district}
        key = fold(district)
        found = self._districts.get(key) or self._districts.get(key + " okrug")
        return set(found or ())

    def find(self, name: str, district: str | None = None) -> list[str]:
        """IRIs of the cities, municipalities and city municipalities a name can mean, in any
        script and with or without its prefix; ``district`` (an ISO code such as "RS-20", a
        place IRI or a district name) keeps those inside it. Cities and municipalities come
        before city municipalities; "Gradska opština Vranje" asks for the city municipality."""
        key, wanted = _split_prefix(fold(name))
        found = set(self._local.get(key, ()))
        if wanted is not None:
            narrowed = {p for p in found if str(wanted) in self._classes[p]}
            found = narrowed or found
        if district is not None:
            districts = self._district_iris(district)
            found = {p for p in found if districts & set(self.ancestors(p))}
        city_municipality = str(SSEKG.CityMunicipality)
        return sorted(found, key=lambda p: (city_municipality in self._classes[p], p))

    def label(self, place: str, lang: str = "sr-Latn") -> str | None:
        """The preferred label in a language (``en``, ``sr-Latn``, ``sr-Cyrl``)."""
        for label in self.graph.objects(URIRef(place), SKOS.prefLabel):
            if getattr(label, "language", None) == lang:
                return str(label)
        return None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The package's gazetteer, loaded once."""
    return Gazetteer()
