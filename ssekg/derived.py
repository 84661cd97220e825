"""The derived graph (``{base}graph/derived``): figures computed from the public graphs, so
that the counting queries read a few hundred tallies instead of every actor.

Each tally (``ssekg:Tally``) is one row of an aggregate: its kind (``ssekg:tallyKind``), the
territory or network it is about (``ssekg:tallyOf``), a concept (``ssekg:tallyConcept``) or
a date (``ssekg:tallyDate``) where the kind has one, and its figures. The kinds, and the named
queries that read them:

* ``seat``: actors seated in a territory, social enterprises among them, holders of the legal
  status (``actor-counts-by-territory``);
* ``actor-type``: per territory and actor type, the actors, those that reported employees,
  and the sums of employees, of employees from vulnerable groups and of volunteers
  (``employment-by-type``);
* ``capacity`` and ``resource``: per territory and capacity area or resource type, the actors
  that offer it and those that need it (``capacity-balance``);
* ``capacity-offer``: per territory and capacity area, the actors that offer it as a
  ``ssekg:CapacityOffer``, counted per municipality and summed (``missing-capacities``);
* ``observation``: per territory and date, the actors, offers and needs observed on it
  (``observations-by-date``);
* ``network``: per network, the first and the last start of a membership; ``membership``:
  per network, how many members have the same latest and earliest end of their memberships
  (none: open-ended), so that who is a member *today* is decided when the query runs
  (``network-sizes``).

A territory is every place a seat lies in (``ssekg:partOf*``: the municipality itself, its
city, district, region, province and the country). Actors are counted by IRI, as the
queries count them: records of one actor linked by ``owl:sameAs`` stay separate records.

:func:`refresh` computes the whole graph again with one SPARQL 1.1 Update (a ``DROP`` and one
``INSERT … USING … WHERE`` per kind), reading the public named graphs only (never a private
one, nor the derived graph itself), so it runs the same on the embedded store and on a
remote one. ssekg calls it after each of its own writes: loads, links, restores, and the
server's SPARQL Update and Graph Store writes. Tally IRIs are minted from what they count,
so the same data gives the same graph."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pyoxigraph as ox
from rdflib import RDF

from ssekg.namespaces import PREFIXES, Graphs


class _Writable(Protocol):
    graphs_of: Graphs

    def graphs(self) -> list[str]: ...

    def update(self, sparql: str) -> None: ...


SE = "<https://w3id.org/ssekg/scheme/actor-type/SE>"
LEGAL = "<https://w3id.org/ssekg/scheme/se-status-kind/LEGAL>"

#: Every place a seat lies in: the seat itself and each place above it.
_SEATS = """{ SELECT DISTINCT ?place ?territory WHERE {
      { SELECT DISTINCT ?place WHERE { ?anyActor ssekg:municipality ?place } }
      ?place ssekg:partOf* ?territory } }"""


def _tally(graph: str, kind: str, keys: Sequence[str]) -> str:
    """An expression for the IRI of a tally of ``kind``: the derived graph's IRI, the kind and
    a digest of the values of the variables ``keys`` (an unbound one counts as empty)."""
    parts = ', " ", '.join(f'COALESCE(STR({k}), "")' for k in keys)
    return f'IRI(CONCAT("{graph}#{kind}-", MD5(CONCAT({parts}))))'


# Each kind: the figures of its template, the variables that tell its tallies apart, and the
# SELECT of its rows.
_KINDS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (
        "seat",
        "ssekg:tallyOf ?territory ; ssekg:actorCount ?actors ; "
        "ssekg:socialEnterpriseCount ?enterprises ; ssekg:legalStatusCount ?holders",
        ("?territory",),
        f"""SELECT ?territory (COUNT(DISTINCT ?actor) AS ?actors)
           (COUNT(DISTINCT ?enterprise) AS ?enterprises) (COUNT(DISTINCT ?holder) AS ?holders)
    WHERE {{
      {{ SELECT ?actor ?place ?enterprise ?holder WHERE {{
        ?actor ssekg:municipality ?place .
        OPTIONAL {{ ?actor ssekg:actorType {SE} BIND(?actor AS ?enterprise) }}
        OPTIONAL {{ ?actor ssekg:hasStatus/ssekg:statusKind {LEGAL} BIND(?actor AS ?holder) }}
      }} }}
      {_SEATS}
    }} GROUP BY ?territory""",
    ),
    (
        "actor-type",
        "ssekg:tallyOf ?territory ; ssekg:tallyConcept ?type ; ssekg:actorCount ?actors ; "
        "ssekg:reportingCount ?reporting ; ssekg:employeeTotal ?employees ; "
        "ssekg:vulnerableEmployeeTotal ?vulnerable ; ssekg:volunteerTotal ?volunteers",
        ("?territory", "?type"),
        f"""SELECT ?territory ?type (COUNT(DISTINCT ?actor) AS ?actors)
           (COUNT(DISTINCT ?reported) AS ?reporting) (SUM(COALESCE(?e, 0)) AS ?employees)
           (SUM(COALESCE(?v, 0)) AS ?vulnerable) (SUM(COALESCE(?w, 0)) AS ?volunteers)
    WHERE {{
      {{ SELECT ?actor ?place ?type ?e ?reported ?v ?w WHERE {{
        ?actor ssekg:municipality ?place ; ssekg:actorType ?type .
        OPTIONAL {{ ?actor ssekg:employees ?e BIND(?actor AS ?reported) }}
        OPTIONAL {{ ?actor ssekg:employeesFromVulnerableGroups ?v }}
        OPTIONAL {{ ?actor ssekg:volunteers ?w }}
      }} }}
      {_SEATS}
    }} GROUP BY ?territory ?type""",
    ),
    (
        "balance",
        "ssekg:tallyKind ?kind ; ssekg:tallyOf ?territory ; ssekg:tallyConcept ?concept ; "
        "ssekg:offeredByCount ?offeredBy ; ssekg:neededByCount ?neededBy",
        ("?territory", "?concept", "?kind"),
        f"""SELECT ?territory ?concept ?kind (COUNT(DISTINCT ?offering) AS ?offeredBy)
           (COUNT(DISTINCT ?needing) AS ?neededBy) WHERE {{
      {{ SELECT ?place ?concept ?kind ?offering ?needing WHERE {{
        ?actor ssekg:municipality ?place .
        {{ ?actor ssekg:offers ?node BIND(?actor AS ?offering) }}
        UNION {{ ?actor ssekg:needs ?node BIND(?actor AS ?needing) }}
        {{ ?node ssekg:capacityArea ?concept BIND("capacity" AS ?kind) }}
        UNION {{ ?node ssekg:resourceType ?concept BIND("resource" AS ?kind) }}
      }} }}
      {_SEATS}
    }} GROUP BY ?territory ?concept ?kind""",
    ),
    (
        "capacity-offer",
        "ssekg:tallyOf ?territory ; ssekg:tallyConcept ?concept ; ssekg:actorCount ?actors",
        ("?territory", "?concept"),
        """SELECT ?territory ?concept (SUM(?n) AS ?actors) WHERE {
      {
        SELECT ?place ?concept (COUNT(DISTINCT ?a) AS ?n) WHERE {
          ?a ssekg:municipality ?place ; ssekg:offers ?offer .
          ?offer a ssekg:CapacityOffer ; ssekg:capacityArea ?concept .
        } GROUP BY ?place ?concept
      }
      ?place ssekg:partOf* ?territory .
    } GROUP BY ?territory ?concept""",
    ),
    (
        "observation",
        "ssekg:tallyOf ?territory ; ssekg:tallyDate ?date ; ssekg:actorCount ?actors ; "
        "ssekg:offerCount ?offers ; ssekg:needCount ?needs",
        ("?territory", "?date"),
        f"""SELECT ?territory ?date (COUNT(DISTINCT ?observed) AS ?actors)
           (COUNT(DISTINCT ?offer) AS ?offers) (COUNT(DISTINCT ?need) AS ?needs) WHERE {{
      {{ SELECT ?place ?date ?observed ?offer ?need WHERE {{
        ?actor ssekg:municipality ?place .
        {{ ?actor ssekg:observedOn ?date BIND(?actor AS ?observed) }}
        UNION {{ ?actor ssekg:offers ?offer . ?offer ssekg:observedOn ?date }}
        UNION {{ ?actor ssekg:needs ?need . ?need ssekg:observedOn ?date }}
      }} }}
      {_SEATS}
    }} GROUP BY ?territory ?date""",
    ),
    (
        "network",
        "ssekg:tallyOf ?network ; ssekg:firstStart ?first ; ssekg:lastStart ?last",
        ("?network",),
        """SELECT ?network (MIN(?start) AS ?first) (MAX(?start) AS ?last) WHERE {
      ?membership org:organization ?network ; org:member ?member .
      OPTIONAL { ?membership ssekg:startDate ?start }
    } GROUP BY ?network""",
    ),
    (
        "membership",
        "ssekg:tallyOf ?network ; ssekg:latestEnd ?latest ; ssekg:earliestEnd ?earliest ; "
        "ssekg:actorCount ?members",
        ("?network", "?open", "?maxEnd", "?earliest"),
        """SELECT * WHERE {
      {
        SELECT ?network ?open ?maxEnd ?earliest (COUNT(*) AS ?members) WHERE {
          {
            SELECT ?network ?member (MAX(IF(BOUND(?end), 0, 1)) AS ?open)
                   (MAX(?end) AS ?maxEnd) (MIN(?end) AS ?earliest) WHERE {
              ?membership org:organization ?network ; org:member ?member .
              OPTIONAL { ?membership ssekg:endDate ?end }
            } GROUP BY ?network ?member
          }
        } GROUP BY ?network ?open ?maxEnd ?earliest
      }
      # an open-ended membership makes its member current whatever its other ones say
      BIND(IF(?open = 1, ?none, ?maxEnd) AS ?latest)
    }""",
    ),
)


def sources(graphs: Graphs, names: Sequence[str]) -> list[str]:
    """The graphs the derived graph is computed from: every public one but itself."""
    return [g for g in names if not graphs.is_private(g) and g != graphs.derived]


def refresh_update(graphs: Graphs, inputs: Sequence[str]) -> str:
    """The SPARQL 1.1 Update that computes the derived graph again from the graphs
    ``inputs`` (see :func:`sources`): one request, so one transaction where the store gives
    one to a request."""
    if not inputs:
        return f"DROP SILENT GRAPH {ox.NamedNode(graphs.derived)}"
    return _update(graphs, "".join(f"USING {ox.NamedNode(g)}\n" for g in inputs))


def _update(graphs: Graphs, using: str) -> str:
    """The update that computes the derived graph from the graphs of ``using`` (USING
    clauses), or from the default graph when it is empty."""
    derived = ox.NamedNode(graphs.derived)
    operations = [f"DROP SILENT GRAPH {derived}"]
    for kind, figures, keys, rows in _KINDS:
        fixed = "" if "tallyKind" in figures else f'ssekg:tallyKind "{kind}" ; '
        operations.append(
            f"INSERT {{ GRAPH {derived} {{ ?tally a ssekg:Tally ; {fixed}{figures} }} }}\n"
            f"{using}WHERE {{\n  {{ {rows} }}\n"
            f"  BIND({_tally(graphs.derived, kind, keys)} AS ?tally)\n}}"
        )
    return " ;\n".join(operations)


#: What the tallies read, as (predicate, object or None) patterns: every property their
#: queries use, and the class of capacity offers.
READS: tuple[tuple[str, str | None], ...] = tuple(
    (PREFIXES[prefix] + local, None)
    for prefix, local in (
        ("ssekg", "municipality"),
        ("ssekg", "partOf"),
        ("ssekg", "actorType"),
        ("ssekg", "hasStatus"),
        ("ssekg", "statusKind"),
        ("ssekg", "employees"),
        ("ssekg", "employeesFromVulnerableGroups"),
        ("ssekg", "volunteers"),
        ("ssekg", "offers"),
        ("ssekg", "needs"),
        ("ssekg", "capacityArea"),
        ("ssekg", "resourceType"),
        ("ssekg", "observedOn"),
        ("ssekg", "startDate"),
        ("ssekg", "endDate"),
        ("org", "organization"),
        ("org", "member"),
    )
) + ((str(RDF.type), PREFIXES["ssekg"] + "CapacityOffer"),)


def refresh(store: _Writable) -> None:
    """Compute the derived graph of ``store`` again from its public graphs.

    On the embedded store the triples the tallies read (:data:`READS`) are first copied
    from the public graphs into a store in memory, the tallies computed there, and the
    derived graph replaced by them (only what changed is written): on disk, the queries
    would otherwise look every triple up in RocksDB, several times slower. Any other store
    gets the update of :func:`refresh_update`."""
    graphs = store.graphs_of
    inputs = sources(graphs, store.graphs())
    replace = getattr(store, "replace_graph_quads", None)
    dataset = getattr(store, "oxigraph_dataset", None)
    if replace is None or dataset is None or not inputs:
        store.update(refresh_update(graphs, inputs))
        return
    source, _ = dataset()
    copy = ox.Store()
    for graph in inputs:
        name = ox.NamedNode(graph)
        for predicate, value in READS:
            found = source.quads_for_pattern(
                None, ox.NamedNode(predicate), None if value is None else ox.NamedNode(value), name
            )
            copy.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in found)
    copy.update(_update(graphs, ""), prefixes=PREFIXES)
    derived = ox.NamedNode(graphs.derived)
    replace({graphs.derived: copy.quads_for_pattern(None, None, None, derived)})
