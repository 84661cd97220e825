"""Linked Data: resource IRIs dereference to pages for people and RDF for programs, in the
reader's language, without ever showing personal data."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, SKOS

from ssekg.namespaces import ONTOLOGY_IRI, SCHEMA, SSEKG
from ssekg.server.app import create_app
from ssekg.setup import EXAMPLES, load_examples
from ssekg.store import open_store

ACTOR = "https://w3id.org/ssekg/id/actor/mb/02683504"
ACTOR_PATH = "/id/actor/mb/02683504"
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PRIVATE_FILE = EXAMPLES / "ssekg-examples-private.ttl"


@pytest.fixture(scope="module")
def client() -> TestClient:
    store = open_store("memory", create=True)
    load_examples(store)
    return TestClient(create_app(store))


@pytest.fixture(scope="module")
def examples() -> Graph:
    return Graph().parse(EXAMPLES / "ssekg-examples.ttl")


def rdf(client: TestClient, path: str, media: str, fmt: str) -> Graph:
    answer = client.get(path, headers={"accept": media})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(media)
    assert "Accept" in answer.headers["vary"]
    return Graph().parse(data=answer.content, format=fmt)


def test_browsers_get_a_page_with_names_links_and_a_map(client: TestClient) -> None:
    page = client.get(ACTOR_PATH, headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-language"] == "sr-Latn"
    assert "<h1>Mesna zajednica Crni vrh</h1>" in page.text
    # Related resources are links with their labels: the seat, the legal form.
    assert re.search(r'<a href="/place/vranje">Vranje</a>', page.text)
    assert '<a href="/scheme/legal-form/MZ">' in page.text
    # The map is inline SVG drawn from the gazetteer: no tiles, no external script.
    assert "<svg" in page.text and 'class="point"' in page.text
    assert "tile" not in page.text.lower() and "<script" not in page.text
    # The parts (address, offers, needs) are on the same page.
    assert "Kralja Stefana Prvovenčanog" in page.text


def test_the_page_speaks_the_readers_language(client: TestClient) -> None:
    cyrillic = client.get(ACTOR_PATH, params={"lang": "sr-Cyrl"}, headers=BROWSER)
    assert "<h1>Месна заједница Црни врх</h1>" in cyrillic.text
    assert cyrillic.headers["content-language"] == "sr-Cyrl"
    assert ">актер<" in cyrillic.text  # the class label from the ontology
    english = client.get(ACTOR_PATH, headers=BROWSER | {"accept-language": "en-GB,en;q=0.9"})
    assert english.headers["content-language"] == "en"
    assert ">actor<" in english.text
    # ?lang= wins over the header, and links keep the reader's choice.
    chosen = client.get(
        ACTOR_PATH, params={"lang": "sr-Cyrl"}, headers=BROWSER | {"accept-language": "en"}
    )
    assert chosen.headers["content-language"] == "sr-Cyrl"
    assert 'href="/place/vranje?lang=sr-Cyrl"' in chosen.text


def test_a_name_given_in_one_script_is_shown_in_the_other() -> None:
    store = open_store("memory", create=True)
    actor = URIRef("https://w3id.org/ssekg/id/actor/x")
    store.replace_graph(
        store.graphs_of.source("t"),
        [(actor, SSEKG.name, Literal("Zadruga Šljiva", lang="sr-Latn"))],
    )
    client = TestClient(create_app(store))
    page = client.get("/id/actor/x", params={"lang": "sr-Cyrl"}, headers=BROWSER)
    assert "<h1>Задруга Шљива</h1>" in page.text
    # The value itself is shown as stored.
    assert "Zadruga Šljiva" in page.text


def test_rdf_by_content_negotiation(client: TestClient, examples: Graph) -> None:
    turtle = rdf(client, ACTOR_PATH, "text/turtle", "turtle")
    actor = URIRef(ACTOR)
    assert (actor, RDF.type, SSEKG.Actor) in turtle
    assert set(turtle.predicate_objects(actor)) == set(examples.predicate_objects(actor))
    # The address and the other parts come along, as on the page.
    address = URIRef(ACTOR + "/address")
    assert set(turtle.predicate_objects(address)) == set(examples.predicate_objects(address))
    for media, fmt in [
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ]:
        assert isomorphic(rdf(client, ACTOR_PATH, media, fmt), turtle), media


def test_json_ld_uses_the_project_context(client: TestClient) -> None:
    answer = client.get(ACTOR_PATH, headers={"accept": "application/ld+json"})
    document = json.loads(answer.text)
    assert document["@context"]["ssekg"] == "https://w3id.org/ssekg/ontology#"
    nodes = document.get("@graph", [document])
    actor = next(n for n in nodes if n.get("id", n.get("@id")) == ACTOR)
    # Language tags come as the store keeps them, lower-case (BCP 47 ignores case).
    assert {k.lower(): v for k, v in actor["name"].items()} == {
        "sr-latn": "Mesna zajednica Crni vrh"
    }


def test_q_values_decide(client: TestClient) -> None:
    def media_for(accept: str) -> str:
        answer = client.get(ACTOR_PATH, headers={"accept": accept})
        return str(answer.headers["content-type"]).split(";")[0]

    assert media_for("text/turtle;q=0.5, application/ld+json") == "application/ld+json"
    assert media_for("application/rdf+xml;q=0.9, text/turtle") == "text/turtle"
    assert media_for("text/html;q=0.1, application/n-triples;q=0.2") == "application/n-triples"
    assert media_for("*/*") == "text/html"
    assert media_for("text/*, text/html;q=0") == "text/turtle"
    refused = client.get(ACTOR_PATH, headers={"accept": "image/png"})
    assert refused.status_code == 406
    # A link can name the format instead.
    named = client.get(ACTOR_PATH, params={"format": "nt"}, headers=BROWSER)
    assert named.headers["content-type"].startswith("application/n-triples")


def test_unknown_resources_are_404_pages(client: TestClient) -> None:
    page = client.get("/id/actor/mb/00000000", headers=BROWSER)
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    assert "https://w3id.org/ssekg/id/actor/mb/00000000" in page.text
    assert client.get("/place/atlantis", headers={"accept": "text/turtle"}).status_code == 404
    assert client.get("/scheme/actor-type/NOPE").status_code == 404


def test_personal_data_is_never_shown(client: TestClient) -> None:
    private = Graph().parse(PRIVATE_FILE)
    people = set(private.subjects(RDF.type, SCHEMA.Person))
    assert people
    secrets = {str(o) for p in people for o in private.objects(p, SCHEMA.name)}
    secrets |= {str(o) for p in people for o in private.objects(p, SCHEMA.email)}
    for person in people:
        path = "/id/" + str(person).removeprefix("https://w3id.org/ssekg/id/")
        assert client.get(path, headers=BROWSER).status_code == 404
        assert client.get(path, headers={"accept": "text/turtle"}).status_code == 404
    for actor in {str(s) for s in private.subjects(SSEKG.contactPerson)}:
        path = "/id/" + actor.removeprefix("https://w3id.org/ssekg/id/")
        for answer in (
            client.get(path, headers=BROWSER),
            client.get(path, headers={"accept": "text/turtle"}),
        ):
            assert answer.status_code == 200
            assert "contactPerson" not in answer.text
            assert not any(secret in answer.text for secret in secrets), path


def test_the_ontology_taxonomies_and_places_dereference(client: TestClient) -> None:
    ontology = rdf(client, "/ontology", "text/turtle", "turtle")
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in ontology
    assert (SSEKG.Actor, RDF.type, OWL.Class) in ontology
    page = client.get("/ontology", headers=BROWSER)
    assert 'id="Actor"' in page.text  # so ontology#Actor lands on the term
    scheme = rdf(client, "/scheme/actor-type", "text/turtle", "turtle")
    concept = URIRef("https://w3id.org/ssekg/scheme/actor-type/SE")
    assert (concept, SKOS.inScheme, URIRef("https://w3id.org/ssekg/scheme/actor-type")) in scheme
    place = rdf(client, "/place/vranje", "text/turtle", "turtle")
    assert (
        URIRef("https://w3id.org/ssekg/place/vranje"),
        SKOS.prefLabel,
        Literal("Врање", lang="sr-Cyrl"),
    ) in place


def test_a_concept_page_links_back_to_its_actors(client: TestClient, examples: Graph) -> None:
    concept = URIRef("https://w3id.org/ssekg/scheme/actor-type/COOP")
    cooperatives = set(examples.subjects(SSEKG.actorType, concept))
    assert cooperatives
    page = client.get("/scheme/actor-type/COOP", headers=BROWSER)
    for actor in cooperatives:
        assert 'href="/id/' + str(actor).removeprefix("https://w3id.org/ssekg/id/") in page.text


def test_graph_and_dataset_iris_redirect(client: TestClient) -> None:
    graph = client.get("/id/graph/source/examples", follow_redirects=False)
    assert graph.status_code == 303
    assert graph.headers["location"].startswith("/store?graph=https%3A%2F%2Fw3id.org")
    dataset = client.get("/id/dataset", follow_redirects=False)
    assert dataset.status_code == 303
    assert dataset.headers["location"] == "/.well-known/void"


def test_a_deployment_base_is_served_at_its_own_path() -> None:
    base = "http://testserver/data/"
    store = open_store("memory", base=base, create=True)
    actor, network = URIRef(base + "actor/a"), URIRef(base + "actor/n")
    store.replace_graph(
        base + "graph/source/t",
        [
            (actor, RDF.type, SSEKG.Actor),
            (actor, SSEKG.name, Literal("Zadruga A", lang="sr-Latn")),
            (actor, URIRef("http://www.w3.org/ns/org#memberOf"), network),
            (network, SSEKG.name, Literal("Mreža N", lang="sr-Latn")),
        ],
    )
    client = TestClient(create_app(store))
    page = client.get("/data/actor/a", headers=BROWSER)
    assert page.status_code == 200
    assert '<a href="/data/actor/n">Mreža N</a>' in page.text
    # The default /id/ mapping still works.
    assert client.get("/id/actor/a", headers=BROWSER).status_code == 200


def test_the_stylesheet_is_served(client: TestClient) -> None:
    css = client.get("/static/ssekg.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert client.get("/static/..%2Fapp.py").status_code == 404


def test_a_place_page_has_its_names_and_a_small_map(client: TestClient) -> None:
    page = client.get("/place/vranje", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-language"] == "sr-Latn"
    assert "Vranje" in page.text
    assert "<svg" in page.text and 'class="point"' in page.text
    cyrillic = client.get("/place/vranje", headers=BROWSER | {"accept-language": "sr-Cyrl"})
    assert "Врање" in cyrillic.text
