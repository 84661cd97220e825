"""Every named query on the example data, through the library, the command line and the HTTP
API: each answer is compared with the rows worked out here from the example file itself (read
with rdflib, places placed with the gazetteer), not with what the query returned before."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node
from typer.testing import CliRunner

from ssekg.cli import app as cli_app
from ssekg.errors import QueryError
from ssekg.namespaces import ORG, PLACE, SSEKG, concept, scheme
from ssekg.places import gazetteer
from ssekg.queries import named_queries, run_named
from ssekg.reference import reference_graph
from ssekg.server.app import create_app
from ssekg.setup import EXAMPLES, load_examples
from ssekg.store import open_store
from ssekg.store.base import Store

Rows = list[dict[str, str]]
DATA = Graph().parse(EXAMPLES / "ssekg-examples.ttl")
REF = reference_graph()
ACTORS = set(DATA.subjects(RDF.type, SSEKG.Actor))
ID = "https://w3id.org/ssekg/id/"
TODAY = date.today()
#: Named queries whose expected rows are checked in other test files.
TESTED_ELSEWHERE = {"merged-actor"}


# -- the example data, read directly -----------------------------------------------------------


def c(scheme: str, code: str) -> str:
    return concept(scheme, code)


def p(code: str) -> str:
    return str(PLACE) + code


def a(key: str) -> str:
    return f"{ID}actor/{key}"


def values(subject: Node, prop: URIRef, graph: Graph = DATA) -> set[str]:
    return {str(o) for o in graph.objects(subject, prop)}


def seat(actor: Node) -> str | None:
    place = DATA.value(actor, SSEKG.municipality)
    return str(place) if place is not None else None


def within(actor: Node, territory: str) -> bool:
    place = seat(actor)
    return place is not None and (place == territory or territory in gazetteer().ancestors(place))


def in_territory(territory: str) -> set[str]:
    return {str(x) for x in ACTORS if within(x, territory)}


def broader_star(node: str) -> set[str]:
    found, todo = set(), [node]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo += values(URIRef(current), SKOS.broader, REF)
    return found


def latin_name(actor: Node) -> str:
    for prop in (SSEKG.name, SSEKG.transliteratedName):
        for name in DATA.objects(actor, prop):
            if isinstance(name, Literal) and name.language == "sr-Latn":
                return str(name)
    return str(DATA.value(actor, SSEKG.name))


def cyrillic_name(actor: Node) -> str:
    for prop in (SSEKG.name, SSEKG.transliteratedName):
        for name in DATA.objects(actor, prop):
            if isinstance(name, Literal) and name.language == "sr-Cyrl":
                return str(name)
    return str(DATA.value(actor, SSEKG.name))


def label(node: str, lang: str = "en") -> str:
    for text in REF.objects(URIRef(node), SKOS.prefLabel):
        if isinstance(text, Literal) and text.language == lang:
            return str(text)
    raise AssertionError(f"no {lang} label for {node}")


def with_(prop: URIRef, node: str) -> set[str]:
    return {str(x) for x in ACTORS if node in values(x, prop)}


def statuses(actor: Node, kind: str) -> list[Node]:
    return [
        s
        for s in DATA.objects(actor, SSEKG.hasStatus)
        if str(DATA.value(s, SSEKG.statusKind)) == c("se-status-kind", kind)
    ]


def memberships() -> list[tuple[str, str, date | None, date | None]]:
    """(member, network, start, end) of every Membership node."""
    found = []
    for m in DATA.subjects(RDF.type, SSEKG.Membership):
        start, end = DATA.value(m, SSEKG.startDate), DATA.value(m, SSEKG.endDate)
        found.append(
            (
                str(DATA.value(m, ORG.member)),
                str(DATA.value(m, ORG.organization)),
                start.toPython() if start is not None else None,  # type: ignore[attr-defined]
                end.toPython() if end is not None else None,  # type: ignore[attr-defined]
            )
        )
    return found


def current_networks(actor: str) -> set[str]:
    """Networks an actor belongs to now: memberships not yet ended, and org:memberOf."""
    ended = {n for m, n, _s, e in memberships() if m == actor and e is not None and e < TODAY}
    stated = {n for m, n, _s, _e in memberships() if m == actor}
    stated |= values(URIRef(actor), ORG.memberOf)
    return stated - ended


def level(place: str) -> str:
    classes = values(URIRef(place), RDF.type, REF)
    if classes & {str(SSEKG.Municipality), str(SSEKG.City)}:
        return "lsg"
    return min(classes)


def peers(territory: str) -> set[str]:
    parents = values(URIRef(territory), SSEKG.partOf, REF)
    siblings = {str(s) for parent in parents for s in REF.subjects(SSEKG.partOf, URIRef(parent))}
    return {s for s in siblings if s != territory and level(s) == level(territory)}


def offer_concepts(actor: Node, prop: URIRef, cls: URIRef | None = None) -> set[str]:
    found = set()
    for node in DATA.objects(actor, prop):
        if cls is not None and (node, RDF.type, cls) not in DATA:
            continue
        found |= values(node, SSEKG.capacityArea) | values(node, SSEKG.resourceType)
    return found


def number(text: str) -> Decimal:
    return Decimal(text)


# -- the expected answers -------------------------------------------------------------------------

Check = Callable[[Rows], None]
CASES: list[tuple[str, dict[str, str], Check]] = []


def case(name: str, **params: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        CASES.append((name, params, check))
        return check

    return register


def actor_set(rows: Rows) -> set[str]:
    return {r["actor"] for r in rows}


def assert_name_order(rows: Rows) -> None:
    names = [r["name"] for r in rows]
    assert names == sorted(names)


@case("actors-by-type")
def _social_enterprises(rows: Rows) -> None:
    assert actor_set(rows) == with_(SSEKG.actorType, c("actor-type", "SE"))
    assert all(r["name"] == latin_name(URIRef(r["actor"])) for r in rows)
    assert_name_order(rows)


@case("actors-by-type", type="COOP", territory="RS2")
def _cooperatives_in_the_south(rows: Rows) -> None:
    expected = with_(SSEKG.actorType, c("actor-type", "COOP")) & in_territory(p("RS2"))
    assert actor_set(rows) == expected and expected


@case("actors-by-legal-form", legalForm="ZAD", territory="RS2")
def _cooperative_forms(rows: Rows) -> None:
    expected = {
        (str(x), str(DATA.value(x, SSEKG.legalForm)))
        for x in ACTORS
        if DATA.value(x, SSEKG.legalForm) is not None
        and c("legal-form", "ZAD") in broader_star(str(DATA.value(x, SSEKG.legalForm)))
        and within(x, p("RS2"))
    }
    assert {(r["actor"], r["form"]) for r in rows} == expected
    assert len({form for _x, form in expected}) > 1  # narrower forms are found


@case("actors-by-practice", practice="AGRI-COOP")
def _agricultural_cooperation(rows: Rows) -> None:
    assert actor_set(rows) == with_(SSEKG.practice, c("practice", "AGRI-COOP"))


@case("actors-by-target-group", targetGroup="VULNERABLE", territory="RS-22")
def _vulnerable_groups_in_pirot(rows: Rows) -> None:
    expected = {
        (str(x), g)
        for x in ACTORS
        if within(x, p("RS-22"))
        for g in values(x, SSEKG.targetGroup)
        if c("target-group", "VULNERABLE") in broader_star(g)
    }
    assert {(r["actor"], r["group"]) for r in rows} == expected and expected


@case("actors-by-target-group", targetGroup="PWD")
def _persons_with_disabilities(rows: Rows) -> None:
    expected = {
        str(x)
        for x in ACTORS
        if any(c("target-group", "PWD") in broader_star(g) for g in values(x, SSEKG.targetGroup))
    }
    assert actor_set(rows) == expected and expected


@case("actors-by-activity", activity="C")
def _manufacturing(rows: Rows) -> None:
    expected = {
        str(x): values(x, SSEKG.activityCode)
        for x in ACTORS
        if c("nace-section", "C") in values(x, SSEKG.activity)
    }
    assert {r["actor"]: set(r.get("activityCodes", "").split("; ")) for r in rows} == expected


@case("actors-by-function", function="FINANCING")
def _financing(rows: Rows) -> None:
    assert actor_set(rows) == with_(SSEKG.fulfilsFunction, c("ecosystem-function", "FINANCING"))


@case("actors-in-territory", territory="RS-00")
def _belgrade(rows: Rows) -> None:
    expected = in_territory(p("RS-00"))
    assert actor_set(rows) == expected
    assert {seat(URIRef(x)) for x in expected} > {p("beograd")}  # city municipalities too


@case("actors-in-territory", territory="novi-sad", lang="sr-Cyrl")
def _novi_sad_in_cyrillic(rows: Rows) -> None:
    assert actor_set(rows) == in_territory(p("novi-sad"))
    assert {r["name"] for r in rows} == {cyrillic_name(URIRef(x)) for x in actor_set(rows)}
    assert {r["municipality"] for r in rows} == {"Нови Сад"}


@case("actors-in-district", district="RS-06")
def _south_backa(rows: Rows) -> None:
    assert actor_set(rows) == in_territory(p("RS-06"))


@case("actors")
def _all_actors(rows: Rows) -> None:
    assert actor_set(rows) == {str(x) for x in ACTORS} and len(ACTORS) == 50


@case("se-status-holders")
def _legal_status(rows: Rows) -> None:
    expected = sorted(
        (str(DATA.value(s, SSEKG.grantedOn)), str(x)) for x in ACTORS for s in statuses(x, "LEGAL")
    )
    assert [(r["grantedOn"], r["actor"]) for r in rows] == expected and expected


@case("se-status-holders", kind="SELF", territory="RS2")
def _self_declared_in_the_south(rows: Rows) -> None:
    expected = {str(x) for x in ACTORS if statuses(x, "SELF") and within(x, p("RS2"))}
    assert actor_set(rows) == expected and expected


@case("self-identified-without-status")
def _status_candidates(rows: Rows) -> None:
    expected = {
        str(x)
        for x in ACTORS
        if Literal(True) in set(DATA.objects(x, SSEKG.selfIdentifiesAsSE))
        and not statuses(x, "LEGAL")
    }
    assert actor_set(rows) == expected and expected
    eligible = {r["actor"]: r.get("eligible") for r in rows}
    for x in expected:
        form = DATA.value(URIRef(x), SSEKG.legalForm)
        flag = REF.value(form, SSEKG.eligibleForSEStatus) if form is not None else None
        assert eligible[x] == (str(flag).lower() if flag is not None else None)


@case("actors-by-founding-year")
def _founding_years(rows: Rows) -> None:
    expected = Counter(int(str(DATA.value(x, SSEKG.foundingYear))) for x in ACTORS)
    assert {int(r["year"]): int(r["actors"]) for r in rows} == expected
    assert [int(r["year"]) for r in rows] == sorted(expected)


@case("actors-by-founding-year", type="COOP", territory="RS2")
def _cooperatives_founded(rows: Rows) -> None:
    expected = Counter(
        int(str(DATA.value(x, SSEKG.foundingYear)))
        for x in ACTORS
        if c("actor-type", "COOP") in values(x, SSEKG.actorType) and within(x, p("RS2"))
    )
    assert {int(r["year"]): int(r["actors"]) for r in rows} == expected


@case("statuses-by-year")
def _statuses_granted(rows: Rows) -> None:
    granted = Counter(
        str(DATA.value(s, SSEKG.grantedOn))[:4] for x in ACTORS for s in statuses(x, "LEGAL")
    )
    assert {r["year"]: int(r["granted"]) for r in rows} == granted
    assert all(r["endedSince"] == "0" for r in rows)  # none of the examples has ended


@case("observations-by-date")
def _observation_dates(rows: Rows) -> None:
    actors = Counter(str(DATA.value(x, SSEKG.observedOn)) for x in ACTORS)
    offers: Counter[str] = Counter()
    needs: Counter[str] = Counter()
    for x in ACTORS:
        for o in DATA.objects(x, SSEKG.offers):
            offers[str(DATA.value(o, SSEKG.observedOn))] += 1
        for n in DATA.objects(x, SSEKG.needs):
            needs[str(DATA.value(n, SSEKG.observedOn))] += 1
    got = {r["date"]: (int(r["actors"]), int(r["offers"]), int(r["needs"])) for r in rows}
    assert got == {d: (actors[d], offers[d], needs[d]) for d in actors}


def missing(
    dimension: Callable[[Node], set[str]], territory: str, compare: str
) -> dict[str, tuple[int, int, int]]:
    """Concepts no actor of ``territory`` has: (actors in the country, actors in peer
    territories, peer territories that have it), for those present where compared."""
    national: Counter[str] = Counter()
    here: set[str] = set()
    in_peers: Counter[str] = Counter()
    peer_units: defaultdict[str, set[str]] = defaultdict(set)
    around = peers(territory)
    for x in ACTORS:
        if seat(x) is None:
            continue
        concepts = dimension(x)
        national.update(concepts)
        if within(x, territory):
            here |= concepts
        for peer in around:
            if within(x, peer):
                in_peers.update(concepts)
                for k in concepts:
                    peer_units[k].add(peer)
    return {
        k: (national[k], in_peers[k], len(peer_units[k]))
        for k in national
        if k not in here and (in_peers[k] > 0 if compare == "peers" else True)
    }


def missing_rows(rows: Rows) -> dict[str, tuple[int, int, int]]:
    return {
        r["concept"]: (int(r["nationally"]), int(r["inPeerTerritories"]), int(r["peerTerritories"]))
        for r in rows
    }


DIMENSIONS: dict[str, Callable[[Node], set[str]]] = {
    "missing-actor-types": lambda x: values(x, SSEKG.actorType),
    "missing-practices": lambda x: values(x, SSEKG.practice),
    "missing-functions": lambda x: values(x, SSEKG.fulfilsFunction),
    "missing-capacities": lambda x: offer_concepts(x, SSEKG.offers, SSEKG.CapacityOffer),
}


def _missing_check(name: str, territory: str, compare: str) -> Check:
    def check(rows: Rows) -> None:
        expected = missing(DIMENSIONS[name], p(territory), compare)
        assert missing_rows(rows) == expected and expected
        assert all(r["label"] == label(r["concept"]) for r in rows)

    return check


for _name in DIMENSIONS:
    for _territory, _compare in (("RS-22", "country"), ("RS-22", "peers"), ("RS22", "peers")):
        case(_name, territory=_territory, compareWith=_compare)(
            _missing_check(_name, _territory, _compare)
        )


@case("missing-functions", territory="RS-24")
def _gap_planted_in_the_examples(rows: Rows) -> None:
    # examples/README.md: no actor in the Pčinjski district (among others) finances or
    # incubates.
    found = {r["concept"] for r in rows}
    assert {
        c("ecosystem-function", "FINANCING"),
        c("ecosystem-function", "INCUBATION-SUPPORT"),
    } <= found


@case("territories-without-function")
def _districts_without_financing(rows: Rows) -> None:
    financing = c("ecosystem-function", "FINANCING")
    districts = {str(d) for d in REF.subjects(RDF.type, SSEKG.District)}
    districts -= {str(d) for d in REF.subjects(SSEKG.administeredBySerbia, Literal(False))}
    expected = {}
    for d in districts:
        here = in_territory(d)
        if here and not any(financing in values(URIRef(x), SSEKG.fulfilsFunction) for x in here):
            expected[d] = len(here)
    assert {r["territory"]: int(r["actors"]) for r in rows} == expected
    assert {p("RS-22"), p("RS-24"), p("RS-23"), p("RS-18")} <= set(expected)  # README's gap


@case("capacity-providers", actor=a("mb/02683504"))
def _providers_nearest_first(rows: Rows) -> None:
    actor = URIRef(a("mb/02683504"))
    home = seat(actor)
    assert home is not None
    home_up = set(gazetteer().ancestors(home))
    district = gazetteer().district_of(home)
    expected = set()
    for need in offer_concepts(actor, SSEKG.needs):
        for x in ACTORS:
            if x == actor or need not in offer_concepts(x, SSEKG.offers):
                continue
            there = seat(x)
            if there is None:
                proximity = "unknown"
            elif there == home:
                proximity = "municipality"
            elif district in gazetteer().ancestors(there):
                proximity = "district"
            elif {r for r in home_up if len(r.rsplit("/", 1)[1]) == 4} & set(
                gazetteer().ancestors(there)
            ):
                proximity = "region"
            else:
                proximity = "country"
            expected.add((need, str(x), proximity))
    assert {(r["need"], r["provider"], r["proximity"]) for r in rows} == expected and expected
    order = ["municipality", "district", "region", "country", "unknown"]
    for need in {n for n, _x, _p in expected}:
        ranks = [order.index(r["proximity"]) for r in rows if r["need"] == need]
        assert ranks == sorted(ranks)


@case("capacity-providers", actor=a("mb/02683504"), within="region")
def _providers_close_by(rows: Rows) -> None:
    assert rows and {r["proximity"] for r in rows} <= {"municipality", "district", "region"}


def capacity_counts(territory: str) -> dict[str, tuple[int, int]]:
    offered: Counter[str] = Counter()
    needed: Counter[str] = Counter()
    for x in ACTORS:
        if within(x, territory):
            offered.update(offer_concepts(x, SSEKG.offers))
            needed.update(offer_concepts(x, SSEKG.needs))
    return {k: (offered[k], needed[k]) for k in set(offered) | set(needed)}


@case("capacity-balance", territory="RS-22")
def _balance_in_pirot(rows: Rows) -> None:
    expected = capacity_counts(p("RS-22"))
    got = {r["concept"]: (int(r["offeredBy"]), int(r["neededBy"])) for r in rows}
    assert got == expected
    assert all(int(r["gap"]) == int(r["neededBy"]) - int(r["offeredBy"]) for r in rows)


@case("unmet-needs", territory="RS-22")
def _unmet_in_pirot(rows: Rows) -> None:
    counts = capacity_counts(p("RS-22"))
    national = Counter(k for x in ACTORS for k in offer_concepts(x, SSEKG.offers))
    expected = {k: (n, national[k]) for k, (o, n) in counts.items() if n > 0 and o == 0}
    got = {r["concept"]: (int(r["neededBy"]), int(r["offeredElsewhere"])) for r in rows}
    assert got == expected and expected


@case("offers-and-needs")
def _offers_and_needs(rows: Rows) -> None:
    offered: Counter[str] = Counter()
    needed: Counter[str] = Counter()
    for x in ACTORS:
        offered.update(offer_concepts(x, SSEKG.offers, SSEKG.CapacityOffer))
        needed.update(offer_concepts(x, SSEKG.needs, SSEKG.CapacityNeed))
    areas = {str(k) for k in REF.subjects(SKOS.inScheme, URIRef(scheme("capacity-area")))}
    expected = {label(k): (offered[k], needed[k]) for k in areas}
    assert {r["area"]: (int(r["offeredBy"]), int(r["neededBy"])) for r in rows} == expected


@case("alliance-candidates", actor=a("mb/17678078"))
def _allies(rows: Rows) -> None:
    actor = a("mb/17678078")
    mine = current_networks(actor)
    expected = {}
    for x in ACTORS:
        other = str(x)
        if other == actor:
            continue
        shared = tuple(
            len(values(URIRef(actor), prop) & values(x, prop))
            for prop in (SSEKG.targetGroup, SSEKG.practice, SSEKG.advocacyTopic)
        )
        theirs = current_networks(other)
        if not any(shared) or mine & theirs or other in mine or actor in theirs:
            continue
        expected[other] = shared
    got = {
        r["candidate"]: (
            int(r["sharedTargetGroups"]),
            int(r["sharedPractices"]),
            int(r["sharedTopics"]),
        )
        for r in rows
    }
    assert got == expected and expected
    totals = [int(r["shared"]) for r in rows]
    assert totals == sorted(totals, reverse=True)


@case("willing-to-join")
def _willing_advocates(rows: Rows) -> None:
    expected = {
        str(x): len(current_networks(str(x)) | {n for m, n, _s, _e in memberships() if m == str(x)})
        for x in ACTORS
        if c("platform-kind", "ADVOCACY") in values(x, SSEKG.willingToJoin)
    }
    assert {r["actor"]: int(r["networks"]) for r in rows} == expected and expected


def members_over_time(network: str) -> dict[int, tuple[int, int, int]]:
    rows = [(s, e) for _m, n, s, e in memberships() if n == network]
    years = {d.year for pair in rows for d in pair if d is not None}
    return {
        y: (
            sum(1 for s, e in rows if (s is None or s.year <= y) and (e is None or e.year > y)),
            sum(1 for s, _e in rows if s is not None and s.year == y),
            sum(1 for _s, e in rows if e is not None and e.year == y),
        )
        for y in years
    }


for _network in (a("mb/08797307"), a("survey-2026/koalicija-zajednicko-dobro")):

    def _over_time(rows: Rows, network: str = _network) -> None:
        got = {
            int(r["year"]): (int(r["members"]), int(r["joinedThatYear"]), int(r["leftThatYear"]))
            for r in rows
        }
        assert got == members_over_time(network)

    case("network-members-over-time", network=_network)(_over_time)


@case("network-sizes")
def _network_sizes(rows: Rows) -> None:
    expected: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _m, n, _s, e in memberships():
        expected[n][1 if e is not None and e < TODAY else 0] += 1
    got = {r["network"]: [int(r["members"]), int(r["formerMembers"])] for r in rows}
    assert got == dict(expected)


@case("networks")
def _networks(rows: Rows) -> None:
    expected = {(n, m) for m, n, _s, _e in memberships()}
    assert {(r["network"], r["member"]) for r in rows} == expected


def fundings() -> Iterator[dict[str, str]]:
    for f in DATA.subjects(RDF.type, SSEKG.Funding):
        yield {
            "funding": str(f),
            "funder": str(DATA.value(f, SSEKG.funder)),
            "recipient": str(DATA.value(f, SSEKG.recipient)),
            "amount": str(DATA.value(f, SSEKG.amount)),
            "currency": str(DATA.value(f, SSEKG.currency)),
            "year": str(DATA.value(f, SSEKG.year)),
            "programme": str(DATA.value(f, SSEKG.programme) or ""),
        }


def totals(rows: Rows, keys: tuple[str, ...]) -> dict[tuple[str, ...], tuple[int, Decimal]]:
    return {tuple(r.get(k, "") for k in keys): (int(r["grants"]), number(r["total"])) for r in rows}


def expected_totals(
    keys: tuple[str, ...], keep: Callable[[dict[str, str]], bool] = lambda f: True
) -> dict[tuple[str, ...], tuple[int, Decimal]]:
    found: dict[tuple[str, ...], tuple[int, Decimal]] = {}
    for f in fundings():
        if keep(f):
            key = tuple(f[k] for k in keys)
            count, total = found.get(key, (0, Decimal(0)))
            found[key] = (count + 1, total + Decimal(f["amount"]))
    return found


@case("funding-by-donor")
def _by_donor(rows: Rows) -> None:
    assert totals(rows, ("funder", "currency")) == expected_totals(("funder", "currency"))


@case("funding-by-donor", year="2025", currency="eur")
def _by_donor_2025_in_euro(rows: Rows) -> None:
    expected = expected_totals(
        ("funder", "currency"), lambda f: f["year"] == "2025" and f["currency"] == "EUR"
    )
    assert totals(rows, ("funder", "currency")) == expected and expected


@case("funding-by-programme")
def _by_programme(rows: Rows) -> None:
    keys = ("programme", "funder", "currency")
    assert totals(rows, keys) == expected_totals(keys)


@case("funding-by-year")
def _by_year(rows: Rows) -> None:
    keys = ("year", "currency")
    assert totals(rows, keys) == expected_totals(keys)


@case("funding-flows", year="2026", territory="RS2")
def _flows(rows: Rows) -> None:
    expected = {
        (f["funding"], f["funder"], f["recipient"], Decimal(f["amount"]), f["currency"])
        for f in fundings()
        if f["year"] == "2026" and within(URIRef(f["recipient"]), p("RS2"))
    }
    got = {
        (r["funding"], r["funder"], r["recipient"], number(r["amount"]), r["currency"])
        for r in rows
    }
    assert got == expected and expected


@case("funding-flows", funder=a("mb/63477877"))
def _one_funders_flows(rows: Rows) -> None:
    expected = {f["funding"] for f in fundings() if f["funder"] == a("mb/63477877")}
    assert {r["funding"] for r in rows} == expected and expected


def ties(actor: Node) -> bool:
    return any(
        (
            set(DATA.objects(actor, ORG.memberOf)),
            set(DATA.subjects(ORG.memberOf, actor)),
            set(DATA.subjects(ORG.member, actor)),
            set(DATA.subjects(ORG.organization, actor)),
            set(DATA.subjects(SSEKG.partner, actor)),
            set(DATA.subjects(SSEKG.funder, actor)),
            set(DATA.subjects(SSEKG.recipient, actor)),
        )
    )


@case("isolated-actors")
def _isolated(rows: Rows) -> None:
    expected = {str(x) for x in ACTORS if not ties(x) and seat(x) is not None}
    assert actor_set(rows) == expected and expected


@case("actor-neighbourhood", actor=a("mb/17678078"))
def _neighbourhood(rows: Rows) -> None:
    actor = a("mb/17678078")
    node = URIRef(actor)
    mine = {n for m, n, _s, _e in memberships() if m == actor} | values(node, ORG.memberOf)
    expected = {("member-of", n, "") for n in mine}
    expected |= {("has-member", m, "") for m, n, _s, _e in memberships() if n == actor}
    for m, n, _s, _e in memberships():
        if n in mine and m != actor:
            expected.add(("co-member", m, n))
    for coop in DATA.subjects(SSEKG.partner, node):
        for other in values(coop, SSEKG.partner) - {actor}:
            expected.add(("cooperation", other, str(coop)))
    for f in fundings():
        if f["recipient"] == actor:
            expected.add(("funded-by", f["funder"], f["funding"]))
        if f["funder"] == actor:
            expected.add(("funds", f["recipient"], f["funding"]))
    got = {(r["relation"], r["neighbour"], r.get("via", "")) for r in rows}
    assert got == expected
    assert {kind for kind, _n, _v in expected} >= {"member-of", "co-member", "cooperation"}


@case("actor-counts-by-territory")
def _per_district(rows: Rows) -> None:
    districts = {str(d) for d in REF.subjects(RDF.type, SSEKG.District)}
    districts -= {str(d) for d in REF.subjects(SSEKG.administeredBySerbia, Literal(False))}
    expected = {d: len(in_territory(d)) for d in districts}
    assert {r["territory"]: int(r["actors"]) for r in rows} == expected
    assert sum(expected.values()) == len(ACTORS)


@case("actor-counts-by-territory", level="region")
def _per_region(rows: Rows) -> None:
    got = {r["territory"]: (int(r["actors"]), int(r["withLegalStatus"])) for r in rows}
    for region, (actors, legal) in got.items():
        here = in_territory(region)
        assert actors == len(here)
        assert legal == sum(1 for x in here if statuses(URIRef(x), "LEGAL"))
    assert set(got) == {p("RS11"), p("RS12"), p("RS21"), p("RS22")}


@case("actor-types-by-region")
def _types_by_region(rows: Rows) -> None:
    expected: Counter[tuple[str, str]] = Counter()
    for x in ACTORS:
        regions = [r for r in gazetteer().ancestors(seat(x) or "") if len(r.rsplit("/", 1)[1]) == 4]
        for region in regions:
            for t in values(x, SSEKG.actorType):
                expected[(label(region, "sr-Latn"), label(t))] += 1
    assert {(r["region"], r["type"]): int(r["actors"]) for r in rows} == expected


@case("employment-by-type")
def _employment(rows: Rows) -> None:
    expected: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for x in ACTORS:
        for t in values(x, SSEKG.actorType):
            row = expected[t]
            row[0] += 1
            for i, prop in enumerate(
                (SSEKG.employees, SSEKG.employeesFromVulnerableGroups, SSEKG.volunteers), start=2
            ):
                row[i] += sum(int(str(v)) for v in DATA.objects(x, prop))
            row[1] += 1 if (x, SSEKG.employees, None) in DATA else 0
    keys = ("actors", "reporting", "totalEmployees", "fromVulnerableGroups", "totalVolunteers")
    got = {r["type"]: [int(r[k]) for k in keys] for r in rows}
    assert got == dict(expected)


@case("cooperations")
def _cooperations(rows: Rows) -> None:
    expected = {
        str(k): len(values(k, SSEKG.partner)) for k in DATA.subjects(RDF.type, SSEKG.Cooperation)
    }
    assert {r["cooperation"]: int(r["partnerCount"]) for r in rows} == expected


@case("cooperations", topic="MARKETING")
def _marketing_cooperations(rows: Rows) -> None:
    expected = {
        str(k): {latin_name(URIRef(x)) for x in values(k, SSEKG.partner)}
        for k in DATA.subjects(SSEKG.topic, URIRef(c("capacity-area", "MARKETING")))
    }
    assert {r["cooperation"]: set(r["partners"].split("; ")) for r in rows} == expected
    assert expected


# -- the three ways in ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    target = open_store("memory", create=True)
    load_examples(target)
    yield target


@pytest.fixture(scope="module")
def client(store: Store) -> TestClient:
    return TestClient(create_app(store, workers=2))


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("named") / "store")
    with open_store(path, create=True) as target:
        load_examples(target)
    return path


def plain(term: object) -> str:
    return str(term)


def via_library(store: Store, name: str, params: dict[str, str]) -> Rows:
    result = run_named(store, name, params)
    return [{k: plain(v) for k, v in row.items()} for row in result.rows]


def results_json(body: str | bytes) -> Rows:
    data = json.loads(body)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def via_http(client: TestClient, name: str, params: dict[str, str]) -> Rows:
    response = client.get(f"/api/queries/{name}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    return results_json(response.content)


def via_cli(store_dir: str, name: str, params: dict[str, str]) -> Rows:
    args = ["query", name, "--format", "json", "--store", store_dir]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    return results_json(result.stdout)


def case_id(item: tuple[str, dict[str, str], Check]) -> str:
    name, params, _check = item
    return name + "".join(f"[{k}={v.rsplit('/', 1)[-1]}]" for k, v in params.items())


@pytest.mark.parametrize("item", CASES, ids=[case_id(x) for x in CASES])
def test_library_answer_matches_the_examples(
    store: Store, item: tuple[str, dict[str, str], Check]
) -> None:
    name, params, check = item
    check(via_library(store, name, params))


@pytest.mark.parametrize("item", CASES, ids=[case_id(x) for x in CASES])
def test_http_answer_matches_the_examples(
    client: TestClient, item: tuple[str, dict[str, str], Check]
) -> None:
    name, params, check = item
    check(via_http(client, name, params))


@pytest.mark.parametrize("item", CASES, ids=[case_id(x) for x in CASES])
def test_command_line_answer_matches_the_examples(
    store_dir: str, item: tuple[str, dict[str, str], Check]
) -> None:
    name, params, check = item
    check(via_cli(store_dir, name, params))


def test_every_named_query_has_expected_rows() -> None:
    covered = {name for name, _params, _check in CASES}
    assert set(named_queries()) - TESTED_ELSEWHERE <= covered
    assert len(covered) >= 30


# -- parameters: typed, bound, refused with a reason ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "words"),
    [
        ("actors-by-type", {"colour": "red"}, "no parameter 'colour'"),
        ("actors-by-type", {"type": "XYZ"}, "not an allowed value"),
        ("actors-by-type", {"territory": "Atlantis"}, "not a place of the gazetteer"),
        ("missing-functions", {"territory": "RS"}, "not a place of the gazetteer"),
        ("funding-by-donor", {"year": "last year"}, "not a whole number"),
        ("territories-without-function", {"withActors": "maybe"}, "true or false"),
        ("capacity-providers", {}, "needs the parameter actor"),
        ("capacity-providers", {"actor": "not an iri"}, "not an absolute IRI"),
        ("cooperations", {"topic": "PUBLIC-PROCUREMENT"}, "several schemes"),
        ("missing-practices", {"territory": "RS-22", "compareWith": "world"}, "country, peers"),
        ("actors", {"limit": "ten"}, "not a whole number"),
        ("actors", {"offset": "-5"}, "is negative"),
    ],
)
def test_wrong_parameters_are_refused_in_both_languages(
    store: Store, client: TestClient, name: str, params: dict[str, str], words: str
) -> None:
    with pytest.raises(QueryError) as raised:
        run_named(store, name, params)
    assert words in raised.value.en
    assert raised.value.sr != raised.value.en and "parametar" in raised.value.sr
    response = client.get(f"/api/queries/{name}", params=params)
    assert response.status_code == 400
    message = response.json()["message"]
    assert words in message["en"] and message["sr-Latn"] == raised.value.sr


def test_wrong_parameter_on_the_command_line_is_one_sentence_each(store_dir: str) -> None:
    result = CliRunner().invoke(
        cli_app, ["query", "actors-by-type", "--param", "type=XYZ", "--store", store_dir]
    )
    assert result.exit_code == 2
    assert "error: the parameter type='XYZ'" in result.output
    assert "greška: parametar type='XYZ'" in result.output
    assert "Traceback" not in result.output


def test_an_iri_parameter_cannot_change_the_query(store: Store) -> None:
    sneaky = a("mb/02683504") + "> . ?x ?y ?z . <urn:x"
    with pytest.raises(QueryError):
        run_named(store, "capacity-providers", {"actor": sneaky})
    bound = named_queries()["capacity-providers"].bind({"actor": a("mb/02683504")})
    assert bound["actor"] == URIRef(a("mb/02683504"))


def test_codes_iris_and_names_mean_the_same_value(store: Store) -> None:
    by_code = via_library(store, "actors-by-type", {"type": "coop", "territory": "RS-22"})
    by_iri = via_library(
        store,
        "actors-by-type",
        {"type": c("actor-type", "COOP"), "territory": p("RS-22")},
    )
    assert by_code == by_iri and by_code
    by_name = via_library(store, "actors-by-type", {"type": "COOP", "territory": "Пирот"})
    assert actor_set(by_name) == actor_set(by_code)


def test_optional_parameters_narrow_only_when_given(store: Store) -> None:
    everything = via_library(store, "funding-flows", {})
    one_year = via_library(store, "funding-flows", {"year": "2025"})
    assert len(everything) == sum(1 for _ in fundings())
    assert 0 < len(one_year) < len(everything)


def test_long_lists_come_a_page_at_a_time(
    store: Store, client: TestClient, store_dir: str
) -> None:
    everything = via_library(store, "actors", {"limit": "1000"})
    assert actor_set(everything) == {str(x) for x in ACTORS} and len(everything) > 40
    assert via_library(store, "actors", {}) == everything[:100]
    first = via_library(store, "actors", {"limit": "20"})
    second = via_http(client, "actors", {"limit": "20", "offset": "20"})
    rest = via_cli(store_dir, "actors", {"limit": "1000", "offset": "40"})
    assert first + second + rest == everything
    assert via_library(store, "actors", {"limit": "0"}) == []
    paged = [n for n, q in named_queries().items() if q.parameter("limit")]
    for name in paged:
        assert named_queries()[name].parameter("offset") is not None, name


# -- the list and the OpenAPI description -------------------------------------------------------


def test_the_list_describes_every_query_and_its_parameters(client: TestClient) -> None:
    listed = {q["name"]: q for q in client.get("/api/queries").json()["queries"]}
    assert set(listed) == set(named_queries())
    entry = listed["actors-by-type"]
    assert entry["title"]["sr-Latn"] == "Akteri jedne vrste"
    kinds = {param["name"]: param for param in entry["parameters"]}
    assert kinds["type"]["default"] == "SE" and "COOP" in kinds["type"]["allowed"]
    assert kinds["territory"]["type"].startswith("place")
    assert listed["capacity-providers"]["parameters"][0]["required"] is True


def test_openapi_has_one_typed_operation_per_query(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for name, query in named_queries().items():
        operation = paths[f"/api/queries/{name}"]["get"]
        declared = {param["name"]: param for param in operation["parameters"]}
        assert set(declared) == {p.name for p in query.parameters} | {"format"}
        for param in query.parameters:
            assert declared[param.name]["required"] is param.required
    year = {x["name"]: x for x in paths["/api/queries/funding-by-donor"]["get"]["parameters"]}
    assert year["year"]["schema"]["type"] == "integer"
    level = {
        x["name"]: x
        for x in paths["/api/queries/territories-without-function"]["get"]["parameters"]
    }
    assert level["level"]["schema"]["enum"] == ["district", "region", "lsg"]
    assert level["withActors"]["schema"] == {"type": "boolean", "default": True}


@pytest.mark.parametrize(
    ("ask", "media"),
    [
        ({"params": {"format": "csv"}}, "text/csv"),
        ({"params": {"format": "tsv"}}, "text/tab-separated-values"),
        (
            {"headers": {"Accept": "application/sparql-results+xml"}},
            "application/sparql-results+xml",
        ),
        ({"headers": {"Accept": "text/csv;q=0.9, application/json;q=0.5"}}, "text/csv"),
        ({}, "application/sparql-results+json"),
    ],
)
def test_results_come_in_the_format_asked_for(
    client: TestClient, ask: dict[str, dict[str, str]], media: str
) -> None:
    params = {"territory": "RS-22", **ask.get("params", {})}
    response = client.get(
        "/api/queries/missing-functions", params=params, headers=ask.get("headers", {})
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "FINANCING" in response.text


def test_csv_answer_has_one_line_per_row(client: TestClient) -> None:
    response = client.get("/api/queries/actors-by-type", params={"format": "csv"})
    lines = response.text.strip().splitlines()
    assert lines[0].split(",")[:2] == ["actor", "name"]
    assert len(lines) - 1 == len(with_(SSEKG.actorType, c("actor-type", "SE")))


def test_unknown_query_and_unusable_format(client: TestClient) -> None:
    response = client.get("/api/queries/no-such-query")
    assert response.status_code == 404 and "actors-by-type" in response.json()["message"]["en"]
    response = client.get("/api/queries/actors", params={"format": "pdf"})
    assert response.status_code == 400
    response = client.get("/api/queries/actors", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_named_queries_never_see_private_data(store: Store, client: TestClient) -> None:
    private = Graph().parse(EXAMPLES / "ssekg-examples-private.ttl")
    secrets = {str(o) for o in private.objects() if isinstance(o, Literal)}
    assert secrets
    for name, params, _check in CASES:
        body = client.get(f"/api/queries/{name}", params=params).text
        assert not any(secret in body for secret in secrets if len(secret) > 6), name
