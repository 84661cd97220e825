"""Murmurations organisation profiles as a user loads them: one profile, a list of profiles or
an index page; each profile checked against organizations_schema-v1.0.0, tags turned into
concepts, Serbian places matched, and people's or deleted profiles set aside with a reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from ssekg.errors import InputError, ParseError
from ssekg.loaders import detect_format, load_source
from ssekg.loaders.murmurations import profile_errors, read_murmurations
from ssekg.loaders.pipeline import LoadResult
from ssekg.namespaces import DEFAULT_BASE, PLACE, concept
from ssekg.setup import initialise
from ssekg.store import open_store
from ssekg.store.base import Store

from .conftest import FIXTURES

NETWORKS = FIXTURES / "networks"
PROFILE = NETWORKS / "murmurations-profile.json"
LIST = NETWORKS / "murmurations-list.json"
INDEX = NETWORKS / "murmurations-index.json"
BASE = DEFAULT_BASE


@pytest.fixture
def store() -> Iterator[Store]:
    target = open_store("memory", base=BASE)
    initialise(target)
    yield target
    target.close()


def values(store: Store, subject: URIRef, path: str) -> set[str]:
    rows = store.query(f"SELECT ?v WHERE {{ ?a {path} ?v }}", bindings={"a": subject}).rows
    return {str(row["v"]) for row in rows}


def load(store: Store, path: Path, tmp_path: Path) -> LoadResult:
    return load_source(store, path, report_dir=tmp_path)


def test_all_three_shapes_of_file_are_told_from_their_content(tmp_path: Path) -> None:
    for path in (PROFILE, LIST, INDEX):
        copy = tmp_path / f"x-{path.name}"
        copy.write_bytes(path.read_bytes())
        assert detect_format(copy) == "murmurations"


def test_a_single_profile_is_loaded_with_its_concepts_place_and_contacts(
    store: Store, tmp_path: Path
) -> None:
    result = load(store, PROFILE, tmp_path)
    assert (result.loaded, result.quarantined) == (1, 0)
    subject = URIRef(f"{BASE}actor/murmurations-profile/zlatna-dolina-example-org")
    assert values(store, subject, "ssekg:name") == {"Zadruga Zlatna Dolina"}
    assert values(store, subject, "ssekg:actorType") == {concept("actor-type", "COOP")}
    assert concept("practice", "AGRI-COOP") in values(store, subject, "ssekg:practice")
    assert values(store, subject, "ssekg:geographicReach") == {
        concept("geographic-reach", "REGIONAL")
    }
    assert values(store, subject, "ssekg:municipality") == {str(PLACE["cacak"])}
    assert values(store, subject, "ssekg:foundingYear") == {"2015"}
    assert values(store, subject, "geo:hasGeometry/geo:asWKT") == {"POINT(20.3497 43.8914)"}
    assert values(store, subject, "schema:contactPoint/schema:telephone") == {"+38132312345"}
    assert values(store, subject, "schema:contactPoint/schema:email") == {
        "mailto:Info@zlatna-dolina.example.org"  # the domain in lower case
    }
    assert values(store, subject, "ssekg:socialAccount") == {
        "https://www.facebook.com/zlatnadolina.example"
    }
    assert "https://zlatna-dolina.example.org/" in values(store, subject, "schema:url")
    assert values(store, subject, "ssekg:socialGoal") == {
        "Fer cene za male proizvođače i zdrava hrana za grad."
    }


def test_a_list_of_profiles_loads_the_organisations_and_sets_the_rest_aside(
    store: Store, tmp_path: Path
) -> None:
    result = load(store, LIST, tmp_path)
    assert (result.loaded, result.quarantined) == (3, 3)
    reasons: dict[str, str] = {}
    for entry in result.quarantine:
        reasons[entry.record] = reasons.get(entry.record, "") + entry.message_en
    assert "person's" in reasons["https://jelena.example.org"]
    assert "name is missing" in reasons["https://nameless.example.org"]
    assert "appears again" in reasons["https://ilponte.example.it"]
    # a person's profile is not read at all: its name is nowhere in the store
    assert not store.query('ASK { GRAPH ?g { ?s ?p "Jelena Example" } }').boolean
    homolje = URIRef(f"{BASE}actor/murmurations-list/homolje-fondacija-example-org")
    assert values(store, homolje, "ssekg:actorType") == {concept("actor-type", "FOUND")}
    assert values(store, homolje, "ssekg:municipality") == {str(PLACE["zagubica"])}
    assert values(store, homolje, "ssekg:targetGroup") == {concept("target-group", "WOMEN")}
    assert values(store, homolje, "locn:address/schema:addressCountry") == {"RS"}
    italian = URIRef(f"{BASE}actor/murmurations-list/ilponte-example-it")
    assert values(store, italian, "locn:address/schema:addressCountry") == {"IT"}
    assert values(store, italian, "ssekg:municipality") == set()
    assert values(store, italian, "schema:contactPoint/schema:telephone") == {"+390511234567"}


def test_schema_departures_are_warnings_naming_the_field(store: Store, tmp_path: Path) -> None:
    result = load(store, LIST, tmp_path)
    notes = {(n.record, n.column): n.message_en for n in result.notes}
    assert "organizations_schema-v1.0.0" in notes[("homolje-fondacija.example.org", "primary_url")]
    assert (
        "'46.05' is not of type 'number'"
        in notes[("https://timebank-lj.example.si", "geolocation.lat")]
    )
    timebank = URIRef(f"{BASE}actor/murmurations-list/timebank-lj-example-si")
    assert values(store, timebank, "geo:hasGeometry") == set()  # a text latitude is not used


def test_an_index_page_uses_profile_urls_as_keys(store: Store, tmp_path: Path) -> None:
    records = list(read_murmurations(INDEX, BASE, source_id="index"))
    assert [r.key for r in records] == [
        p["profile_url"] for p in json.loads(INDEX.read_text(encoding="utf-8"))["data"]
    ]
    result = load(store, INDEX, tmp_path)
    assert (result.loaded, result.quarantined) == (2, 2)
    reasons: dict[str, str] = {}
    for entry in result.quarantine:
        reasons[entry.record] = reasons.get(entry.record, "") + entry.message_en
    assert "deleted" in reasons["https://profiles.example.net/closed-fund.json"]
    assert "bread, community" in reasons["https://profiles.example.net/old-bakery.json"]
    kitchen = URIRef(f"{BASE}actor/murmurations-index/profiles-example-net-solidarna-kuhinja-json")
    names = store.query(
        "SELECT ?n WHERE { ?a ssekg:name|ssekg:transliteratedName ?n }", bindings={"a": kitchen}
    ).rows
    assert {row["n"] for row in names} == {
        Literal("Удружење Солидарна кухиња", lang="sr-Cyrl"),
        Literal("Udruženje Solidarna kuhinja", lang="sr-Latn"),
    }
    assert values(store, kitchen, "ssekg:municipality") == {str(PLACE["novi-sad"])}
    assert values(store, kitchen, "schema:sameAs") == {
        "https://profiles.example.net/solidarna-kuhinja.json"
    }
    graz = URIRef(f"{BASE}actor/murmurations-index/profiles-example-net-repair-cafe-graz-json")
    assert values(store, graz, "locn:address/schema:addressCountry") == {"AT"}
    assert values(store, graz, "ssekg:actorType") == {concept("actor-type", "INF")}


def test_murmurations_sr_is_suriname(tmp_path: Path) -> None:
    source = tmp_path / "sr.json"
    profile = {
        "linked_schemas": ["organizations_schema-v1.0.0"],
        "name": "Paramaribo Cooperative",
        "primary_url": "https://coop.example.sr",
        "country_iso_3166": "SR",
        "tags": ["cooperative"],
    }
    source.write_text(json.dumps(profile), encoding="utf-8")
    (record,) = read_murmurations(source, BASE)
    assert Literal("SR") in set(record.graph.objects())


def test_the_schema_checks_field_types_and_required_name() -> None:
    assert profile_errors({"name": "X", "linked_schemas": ["organizations_schema-v1.0.0"]}) == []
    found = {where for where, _, _ in profile_errors({"tags": "co-op", "geographic_scope": "x"})}
    assert found == {"(profile)", "tags", "geographic_scope"}


def test_a_file_that_is_no_profile_is_a_user_error(tmp_path: Path) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text('{"hello": "world"}', encoding="utf-8")
    with pytest.raises(InputError):
        list(read_murmurations(odd, BASE))
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "X",', encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        list(read_murmurations(broken, BASE))
    assert "line 1" in str(caught.value)
