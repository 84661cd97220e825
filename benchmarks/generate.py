"""Synthetic ssekg data for benchmarks: realistic actors in both scripts, with a few percent of
planted errors whose counts are reported.

    python benchmarks/generate.py 10000 -o out.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import cyrtranslit
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node
from stdnum.iso7064 import mod_11_10

from ssekg.namespaces import DEFAULT_BASE, GEO, LOCN, ORG, PLACE, SCHEMA, SSEKG, concept

Triple = tuple[Node, Node, Node]
ERROR_KINDS = ("bad-pib", "unknown-concept", "missing-name", "outside-serbia", "bad-mb-check")
SOURCE = "synthetic"

# slug, postcode, lon, lat: used when the gazetteer is not at hand
FALLBACK_PLACES = [
    ("novi-sad", "21000", 19.84, 45.25), ("beograd-palilula", "11060", 20.48, 44.81),
    ("nis-medijana", "18000", 21.90, 43.32), ("kragujevac", "34000", 20.91, 44.01),
    ("subotica", "24000", 19.67, 46.10), ("cacak", "32000", 20.35, 43.89),
    ("pirot", "18300", 22.59, 43.15), ("uzice", "31000", 19.84, 43.86),
    ("leskovac", "16000", 21.95, 42.99), ("zrenjanin", "23000", 20.39, 45.38),
    ("vranje", "17500", 21.90, 42.55), ("sombor", "25000", 19.11, 45.77),
]  # fmt: skip
WORDS = ["Sloga", "Izvor", "Most", "Zajedno", "Klas", "Ruka", "Nada", "Lipa", "Krug", "Koren",
         "Vetrenjača", "Tkanica", "Dobra volja", "Žito", "Čuvarkuća", "Ognjište"]  # fmt: skip
KINDS = [("Udruženje", "ASSOC", "UDR"), ("Zadruga", "COOP", "ZAD-POLJ"),
         ("Socijalno preduzeće", "SE", "DOO"), ("Fondacija", "FOUND", "FOND"),
         ("Neformalna grupa", "INF", "NEFORM"), ("Mreža", "NET", "SUDR")]  # fmt: skip
PRACTICES = ["WORK-INTEGRATION", "AGRI-COOP", "CIRCULAR", "CRAFTS", "CARE", "EDUCATION"]
TARGETS = ["PWD", "ROMA", "WOMEN", "YOUTH", "RURAL", "LONG-UNEMPLOYED"]
AREAS = ["MARKETING", "FINANCE-ACCESS", "DIGITAL", "GOVERNANCE", "LEGAL-COMPLIANCE"]
SECTIONS = ["A", "C", "E", "G", "I", "P", "Q", "S"]
TOPICS = ["SE-LAW", "PUBLIC-PROCUREMENT", "WORK-INTEGRATION", "LOCAL-DEVELOPMENT"]
#: Ecosystem functions by actor type (foundations fund, networks connect and advocate).
FUNCTIONS = {"FOUND": ["FINANCING"], "NET": ["NETWORKING", "ADVOCACY-POLICY"],
             "ASSOC": ["EDUCATION-RESEARCH", "VISIBILITY", "INCUBATION-SUPPORT"]}  # fmt: skip


def _places() -> list[tuple[str, str, float, float]]:
    gazetteer = Path(__file__).resolve().parents[1] / "ssekg" / "ontology" / "places.ttl"
    if not gazetteer.exists():
        return FALLBACK_PLACES
    from rdflib import Graph

    g = Graph().parse(gazetteer, format="turtle")
    found = []
    for cls in (SSEKG.Municipality, SSEKG.City, SSEKG.CityMunicipality):
        for place in g.subjects(RDF.type, cls):
            wkt = g.value(g.value(place, GEO.hasGeometry), GEO.asWKT)
            if wkt is None:
                continue
            lon, lat = (float(x) for x in str(wkt).split("(")[1].rstrip(")").split())
            found.append((str(place).removeprefix(str(PLACE)), "11000", lon, lat))
    return sorted(found) or FALLBACK_PLACES


def _mb(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(7)]
        r = sum(d * w for d, w in zip(digits, (2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        if r > 1:
            return "".join(map(str, digits)) + str(11 - r)


def _pib(rng: random.Random) -> str:
    body = "1" + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return body + mod_11_10.calc_check_digit(body)


def generate(
    n_actors: int, *, seed: int = 0, error_rate: float = 0.03, errors: Counter[str] | None = None
) -> Iterator[Triple]:
    """Triples for ``n_actors`` actors; planted errors are counted into ``errors``."""
    rng = random.Random(seed)
    # Facts the named queries look at (years, functions, statuses, fundings, ...) come from a
    # stream of their own, so the rest of the data, and the planted errors, stay as they were.
    extra = random.Random(seed * 7919 + 1)
    places = _places()
    planted = errors if errors is not None else Counter()
    base = DEFAULT_BASE
    networks: list[URIRef] = []
    funders: list[URIRef] = []
    previous: URIRef | None = None
    source = URIRef(f"{base}source/{SOURCE}")
    yield source, RDF.type, SSEKG.Source
    yield source, SSEKG.sourceId, Literal(SOURCE)
    yield source, DCTERMS.title, Literal("Synthetic survey", lang="en")
    for i in range(n_actors):
        label, atype, form = KINDS[i % len(KINDS)]
        error = rng.choice(ERROR_KINDS) if rng.random() < error_rate else None
        mb = _mb(rng) if form != "NEFORM" else None
        a = URIRef(f"{base}actor/mb/{mb}" if mb else f"{base}actor/{SOURCE}/{i}")
        slug, post, lon, lat = rng.choice(places)
        yield a, RDF.type, SSEKG.Actor
        name = f"{label} {rng.choice(WORDS)} {i}"
        cyr = rng.random() < 0.4
        shown, other = (cyrtranslit.to_cyrillic(name, "sr"), name) if cyr else (name, None)
        if error == "missing-name":
            planted[error] += 1
        else:
            yield a, SSEKG.name, Literal(shown, lang="sr-Cyrl" if cyr else "sr-Latn")
            translit = other or cyrtranslit.to_cyrillic(name, "sr")
            other_lang = "sr-Latn" if cyr else "sr-Cyrl"
            yield a, SSEKG.transliteratedName, Literal(translit, lang=other_lang)
        yield a, SSEKG.actorType, URIRef(concept("actor-type", atype))
        yield a, SSEKG.legalForm, URIRef(concept("legal-form", form))
        if mb:
            if error == "bad-mb-check":
                planted[error] += 1
                mb = mb[:7] + str((int(mb[7]) + 1) % 10)
            yield a, SSEKG.registrationNumber, Literal(mb)
            pib = _pib(rng)
            if error == "bad-pib":
                planted[error] += 1
                pib = pib[:8] + str((int(pib[8]) + 1) % 10)
            yield a, SSEKG.taxNumber, Literal(pib)
        elif error in ("bad-mb-check", "bad-pib"):
            error = None
        practice = rng.choice(PRACTICES)
        if error == "unknown-concept":
            planted[error] += 1
            practice = "NO-SUCH-PRACTICE"
        yield a, SSEKG.practice, URIRef(concept("practice", practice))
        yield a, SSEKG.targetGroup, URIRef(concept("target-group", rng.choice(TARGETS)))
        yield a, SSEKG.municipality, PLACE[slug]
        ad = URIRef(f"{a}/address")
        yield a, LOCN.address, ad
        yield ad, RDF.type, LOCN.Address
        yield ad, LOCN.postCode, Literal(post)
        yield ad, SCHEMA.addressCountry, Literal("RS")
        if error == "outside-serbia":
            planted[error] += 1
            lon, lat = lon + 15.0, lat - 5.0
        geom = URIRef(f"{a}/geometry")
        yield a, GEO.hasGeometry, geom
        yield geom, RDF.type, GEO.Geometry
        point = f"POINT({lon + rng.uniform(-0.01, 0.01):.5f} {lat + rng.uniform(-0.01, 0.01):.5f})"
        yield geom, GEO.asWKT, Literal(point, datatype=GEO.wktLiteral)
        record = URIRef(f"{source}/record/{i + 2}")
        yield record, RDF.type, SSEKG.SourceRecord
        yield record, SSEKG.recordKey, Literal(str(i + 2))
        yield record, DCTERMS.isPartOf, source
        yield a, SSEKG.sourceRecord, record
        need_area = AREAS[i % len(AREAS)]
        offer_area = AREAS[(i + 2) % len(AREAS)]
        for kind, prop, cls, area in (
            ("need", SSEKG.needs, SSEKG.CapacityNeed, need_area),
            ("offer", SSEKG.offers, SSEKG.CapacityOffer, offer_area),
        ):
            node = URIRef(f"{a}/{kind}/{area}")
            yield a, prop, node
            yield node, RDF.type, cls
            yield node, SSEKG.capacityArea, URIRef(concept("capacity-area", area))
            yield node, PROV.wasDerivedFrom, record
        if i % 7 == 0:
            resource = URIRef(f"{a}/need/GRANT")
            yield a, SSEKG.needs, resource
            yield resource, RDF.type, SSEKG.ResourceNeed
            yield resource, SSEKG.resourceType, URIRef(concept("resource-type", "GRANT"))
            yield resource, PROV.wasDerivedFrom, record
        yield a, SSEKG.foundingYear, Literal(str(extra.randint(1990, 2025)), datatype=XSD.gYear)
        observed = f"202{extra.randint(4, 6)}-0{extra.randint(1, 9)}-15"
        yield a, SSEKG.observedOn, Literal(observed, datatype=XSD.date)
        yield a, SSEKG.activity, URIRef(concept("nace-section", extra.choice(SECTIONS)))
        if atype in FUNCTIONS:
            function = extra.choice(FUNCTIONS[atype])
            yield a, SSEKG.fulfilsFunction, URIRef(concept("ecosystem-function", function))
        if extra.random() < 0.2:
            yield a, SSEKG.advocacyTopic, URIRef(concept("advocacy-topic", extra.choice(TOPICS)))
        if extra.random() < 0.3:
            kind = extra.choice(["ADVOCACY", "CAPACITY-BUILDING"])
            yield a, SSEKG.willingToJoin, URIRef(concept("platform-kind", kind))
        if atype in ("SE", "COOP"):
            yield a, SSEKG.selfIdentifiesAsSE, Literal(atype == "SE")
            staff = extra.randint(1, 60)
            yield a, SSEKG.employees, Literal(str(staff), datatype=XSD.nonNegativeInteger)
            vulnerable = extra.randint(0, staff)
            yield (
                a,
                SSEKG.employeesFromVulnerableGroups,
                Literal(str(vulnerable), datatype=XSD.nonNegativeInteger),
            )
        if atype in ("SE", "COOP") and extra.random() < 0.35:
            status = URIRef(f"{a}/status/1")
            yield a, SSEKG.hasStatus, status
            yield status, RDF.type, SSEKG.SocialEntrepreneurshipStatus
            yield status, SSEKG.statusKind, URIRef(concept("se-status-kind", "LEGAL"))
            granted = f"202{extra.randint(3, 6)}-0{extra.randint(1, 9)}-01"
            yield status, SSEKG.grantedOn, Literal(granted, datatype=XSD.date)
            yield status, SSEKG.register, URIRef(concept("register", "APR-RPS"))
        if atype in ("DON", "FIN", "FOUND"):
            funders.append(a)
        elif funders and i % 5 == 0:
            funding = URIRef(f"{base}funding/{SOURCE}-{i}")
            yield funding, RDF.type, SSEKG.Funding
            yield funding, SSEKG.funder, extra.choice(funders)
            yield funding, SSEKG.recipient, a
            yield (
                funding,
                SSEKG.amount,
                Literal(f"{extra.randint(1, 50) * 1000}.00", datatype=XSD.decimal),
            )
            yield funding, SSEKG.currency, Literal(extra.choice(["EUR", "RSD"]))
            yield funding, SSEKG.year, Literal(str(extra.randint(2018, 2026)), datatype=XSD.gYear)
            yield (
                funding,
                SSEKG.programme,
                Literal(f"Program {extra.randint(1, 40)}", lang="sr-Latn"),
            )
        if previous is not None and i % 4 == 0:
            cooperation = URIRef(f"{base}cooperation/{SOURCE}-{i}")
            yield cooperation, RDF.type, SSEKG.Cooperation
            yield cooperation, SSEKG.partner, a
            yield cooperation, SSEKG.partner, previous
            yield cooperation, SSEKG.topic, URIRef(concept("advocacy-topic", "SE-LAW"))
        previous = a
        if atype == "NET":
            networks.append(a)
        elif networks:
            net = rng.choice(networks)
            ms = URIRef(f"{base}membership/{i}/{networks.index(net)}")
            yield ms, RDF.type, SSEKG.Membership
            yield ms, ORG.member, a
            yield ms, ORG.organization, net
            yield a, ORG.memberOf, net
            yield ms, SSEKG.startDate, Literal(f"20{rng.randint(15, 25)}-01-01", datatype=XSD.date)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Synthetic ssekg data as N-Triples.")
    parser.add_argument("n_actors", type=int)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--error-rate", type=float, default=0.03)
    args = parser.parse_args(argv)
    planted: Counter[str] = Counter()
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        for s, p, o in generate(args.n_actors, seed=args.seed, error_rate=args.error_rate,
                                errors=planted):  # fmt: skip
            out.write(f"{s.n3()} {p.n3()} {o.n3()} .\n")
    finally:
        if args.output:
            out.close()
    print("planted errors:", dict(sorted(planted.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
