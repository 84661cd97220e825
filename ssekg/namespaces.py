"""The IRIs of the ssekg namespaces and named graphs, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Namespace

ONTOLOGY_IRI = "https://w3id.org/ssekg/ontology"
SSEKG = Namespace(ONTOLOGY_IRI + "#")
SCHEME_BASE = "https://w3id.org/ssekg/scheme/"
PLACE = Namespace("https://w3id.org/ssekg/place/")
DEFAULT_BASE = "https://w3id.org/ssekg/id/"

ORG = Namespace("http://www.w3.org/ns/org#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
VF = Namespace("https://w3id.org/valueflows/ont/vf#")
ESSGLOBAL = Namespace("http://purl.org/essglobal/vocab/")

PREFIXES: dict[str, str] = {
    "ssekg": str(SSEKG),
    "org": str(ORG),
    "locn": str(LOCN),
    "adms": str(ADMS),
    "schema": str(SCHEMA),
    "geo": str(GEO),
    "vf": str(VF),
    "essglobal": str(ESSGLOBAL),
    "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "place": str(PLACE),
}


def scheme(name: str) -> str:
    """The IRI of a concept scheme, e.g. ``scheme("actor-type")``."""
    return SCHEME_BASE + name


def concept(scheme_name: str, code: str) -> str:
    """The IRI of a concept, e.g. ``concept("legal-form", "ZAD")``."""
    return f"{SCHEME_BASE}{scheme_name}/{code}"


@dataclass(frozen=True)
class Graphs:
    """The named graphs of one deployment, derived from its base IRI."""

    base: str = DEFAULT_BASE

    @property
    def reference(self) -> str:
        return self.base + "graph/reference"

    @property
    def links(self) -> str:
        return self.base + "graph/links"

    @property
    def curation(self) -> str:
        return self.base + "graph/curation"

    @property
    def meta(self) -> str:
        return self.base + "graph/meta"

    @property
    def derived(self) -> str:
        """Figures computed from the public graphs after each write (see ssekg.derived)."""
        return self.base + "graph/derived"

    @property
    def private(self) -> str:
        return self.base + "graph/private"

    def source(self, source_id: str) -> str:
        return f"{self.base}graph/source/{source_id}"

    def is_private(self, graph: str) -> bool:
        """Private means ``graph/private`` and every graph below it."""
        return graph == self.private or graph.startswith(self.private + "/")


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, for queries the project writes itself."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
