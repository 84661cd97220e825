"""Reading RDF files: formats by suffix, and errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from ssekg.errors import InputError, ParseError
from ssekg.rdf_io import parse_rdf, serialize_graph

EX = "http://example.org/"


@pytest.fixture(scope="module")
def sample() -> Graph:
    graph = Graph()
    graph.add((URIRef(EX + "a"), URIRef(EX + "name"), Literal("Задруга", lang="sr-Cyrl")))
    graph.add((URIRef(EX + "a"), URIRef(EX + "members"), Literal(12)))
    return graph


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [(".ttl", "turtle"), (".nt", "nt"), (".jsonld", "jsonld"), (".json", "jsonld"),
     (".rdf", "xml"), (".owl", "xml"), (".xml", "xml")],
)
def test_every_suffix_reads_back(tmp_path: Path, sample: Graph, suffix: str, fmt: str) -> None:
    path = tmp_path / f"data{suffix}"
    path.write_bytes(serialize_graph(sample, fmt))
    parsed = parse_rdf(path)
    assert set(parsed) == set(sample)


def test_explicit_format_overrides_the_suffix(tmp_path: Path, sample: Graph) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(serialize_graph(sample, "turtle"))
    assert set(parse_rdf(path, "turtle")) == set(sample)
    with pytest.raises(InputError, match="not known"):
        parse_rdf(path, "yaml")


def test_turtle_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(f'<{EX}a> <{EX}p> "ok" .\n<{EX}a> <{EX}p> oops .\n', encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        parse_rdf(path)
    assert str(path) in caught.value.en and "line 2" in caught.value.en
    assert "red 2" in caught.value.sr


def test_ntriples_and_jsonld_errors_name_the_line(tmp_path: Path) -> None:
    nt = tmp_path / "broken.nt"
    nt.write_text(f'<{EX}a> <{EX}p> "ok" .\n\n<{EX}a> <{EX}p> "open\n', encoding="utf-8")
    with pytest.raises(ParseError, match="line 3"):
        parse_rdf(nt)
    jsonld = tmp_path / "broken.jsonld"
    jsonld.write_text('{\n  "@id": "http://example.org/a",\n  "p": \n}\n', encoding="utf-8")
    with pytest.raises(ParseError, match="line 4"):
        parse_rdf(jsonld)


def test_rdfxml_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.rdf"
    path.write_text(
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        "<rdf:Description>\n</rdf:RDF>\n",
        encoding="utf-8",
    )
    with pytest.raises(ParseError) as caught:
        parse_rdf(path)
    assert str(path) in caught.value.en


def test_unknown_suffix_missing_file_and_datasets(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        parse_rdf(tmp_path / "data.csv")
    assert "Turtle (.ttl)" in caught.value.en
    with pytest.raises(InputError, match="named graphs"):
        parse_rdf(tmp_path / "data.nq")
    with pytest.raises(InputError, match="no such file") as missing:
        parse_rdf(tmp_path / "absent.ttl")
    assert "absent.ttl" in missing.value.en


def test_blank_nodes_of_two_files_stay_apart(tmp_path: Path) -> None:
    path = tmp_path / "blank.ttl"
    path.write_text(f'_:b0 <{EX}p> "x" .\n', encoding="utf-8")
    first, second = parse_rdf(path), parse_rdf(path)
    assert len(first + second) == 2
