"""Loading a survey export end to end: parse, clean, map, validate, commit.

    python benchmarks/load.py 10000 100000 [--bad 0.05] [--keep DIR]

Writes a synthetic export of the coalition's survey (the bundled template's two header rows,
answers in both scripts, multi-choice cells, a share of bad records), loads it with the
``survey`` mapping into a fresh embedded store, each size in its own process, and reports
records per second, peak memory, and the time of each stage as a ratio to the baseline: a
raw pyoxigraph bulk load, in the same process, of the triples the load committed.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cyrtranslit
from generate import _mb, _pib  # the same valid identifiers as the RDF generator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

LEGAL_FORMS = [
    ("Udruženje građana", "Udruženje"),
    ("Poljoprivredna zadruga", "Zadruga"),
    ("Zadruga", "Zadruga"),
    ("Fondacija", "Fondacija"),
    ("Društvo sa ograničenom odgovornošću", "Socijalno preduzeće"),
    ("Preduzetnik", "Socijalno preduzeće"),
]
WORDS = ["Sloga", "Izvor", "Most", "Zajedno", "Klas", "Ruka", "Nada", "Lipa", "Krug", "Koren",
         "Vetrenjača", "Tkanica", "Dobra volja", "Žito", "Čuvarkuća", "Ognjište", "Ljubičica",
         "Njiva", "Džemper"]  # fmt: skip
ACTIVITIES = ["poljoprivreda", "prerada hrane", "socijalna zaštita", "obrazovanje",
              "trgovina", "ugostiteljstvo", "reciklaža"]  # fmt: skip
PRACTICES = ["radna integracija", "kratki lanci snabdevanja", "cirkularna ekonomija",
             "pružanje socijalnih usluga", "zanati"]  # fmt: skip
TARGETS = ["osobe sa invaliditetom", "Romi", "žene", "mladi", "ruralno stanovništvo"]
CAPACITIES = ["marketing", "digitalne veštine", "poslovni plan", "pristup finansijama",
              "zagovaranje"]  # fmt: skip
RESOURCES = ["prostor", "oprema", "grantovi", "volonteri"]
TOPICS = ["zakon o socijalnom preduzetništvu", "javne nabavke", "radna integracija"]
REACH = ["lokalni", "regionalni", "nacionalni"]
#: Kinds of planted bad records and what makes them bad.
BAD = ("bad-pib", "no-name", "unknown-municipality", "bad-date", "repeated-id")


def _municipalities() -> list[str]:
    """Names of the local units as people write them: sr-Latn labels of the gazetteer."""
    from rdflib import RDF, Graph, Literal
    from rdflib.namespace import SKOS

    from ssekg.namespaces import SSEKG

    g = Graph().parse(ROOT / "ssekg" / "ontology" / "places.ttl", format="turtle")
    names: set[str] = set()
    for cls in (SSEKG.Municipality, SSEKG.City):
        for place in g.subjects(RDF.type, cls):
            for label in g.objects(place, SKOS.prefLabel):
                if isinstance(label, Literal) and (label.language or "").lower() == "sr-latn":
                    names.add(str(label))
    # names that repeat across districts would need the district column: leave them out
    return sorted(n for n in names if "Palilula" not in n and "Medijana" not in n)


def _some(rng: random.Random, values: list[str], most: int = 3) -> str:
    return "; ".join(rng.sample(values, rng.randint(1, most)))


def write_survey(path: Path, n: int, bad: float, seed: int = 7) -> dict[str, int]:
    """A survey export of ``n`` answers, about ``bad`` of them planted errors; the counts of
    each kind of planted error."""
    rng = random.Random(seed)
    template = ROOT / "ssekg" / "loaders" / "templates" / "survey.csv"
    with template.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=";")
        header, english = next(reader), next(reader)
    places = _municipalities()
    planted = dict.fromkeys(BAD, 0)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=";")
        out.writerow(header)
        out.writerow(english)
        for i in range(n):
            form, kind = rng.choice(LEGAL_FORMS)
            name = f"{kind} {rng.choice(WORDS)} {i}"
            place = rng.choice(places)
            row = {
                "ID odgovora": f"R-{i:06d}",
                "Datum popunjavanja": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2026.",
                "Naziv organizacije": name,
                "Matični broj": _mb(rng) if rng.random() < 0.7 else "",
                "PIB": _pib(rng) if rng.random() < 0.5 else "",
                "Pravna forma": form,
                "Tip aktera": kind,
                "Status socijalnog preduzetništva": rng.choice(["Ne", "Ne", "Da, uписан у АПР"])
                if kind == "Socijalno preduzeće"
                else "Ne",
                "Godina osnivanja": str(rng.randint(1990, 2025)),
                "Opština": place,
                "Ulica i broj": f"{rng.choice(WORDS)} {rng.randint(1, 200)}",
                "Geografski obuhvat": rng.choice(REACH),
                "Delatnosti": _some(rng, ACTIVITIES, 2),
                "Prakse": _some(rng, PRACTICES),
                "Ciljne grupe": _some(rng, TARGETS),
                "Broj zaposlenih": str(rng.randint(0, 40)),
                "Kapaciteti koje nudimo": _some(rng, CAPACITIES, 2),
                "Kapaciteti koji su nam potrebni": _some(rng, CAPACITIES, 2),
                "Resursi koje nudimo": _some(rng, RESOURCES, 2),
                "Resursi koji su nam potrebni": _some(rng, RESOURCES, 2),
                "Spremni za platformu za jačanje kapaciteta": rng.choice(["Da", "Ne"]),
                "Spremni za zagovaračku platformu": rng.choice(["Da", "Ne"]),
                "Teme zagovaranja": _some(rng, TOPICS, 2),
                "Veb-sajt": f"www.org{i}.rs" if rng.random() < 0.4 else "",
                "E-pošta organizacije": f"info@org{i}.rs",
                "Telefon organizacije": f"011 {rng.randint(100, 999)} {rng.randint(100, 999)}",
                "Kontakt osoba": f"{rng.choice(['Milica', 'Jovan', 'Ljilja'])} {rng.choice(WORDS)}",
                "E-pošta kontakt osobe": f"osoba{i}@gmail.com",
                "Saglasnost za objavljivanje kontakata": rng.choice(["Da", "Ne"]),
            }
            if rng.random() < 0.5:  # about half of the answers come in Cyrillic
                for column in ("Naziv organizacije", "Opština", "Prakse", "Ciljne grupe"):
                    row[column] = cyrtranslit.to_cyrillic(row[column], "sr")
            if rng.random() < bad:
                kind_of_error = rng.choice(BAD)
                planted[kind_of_error] += 1
                if kind_of_error == "bad-pib":
                    row["PIB"] = "123456789"
                elif kind_of_error == "no-name":
                    row["Naziv organizacije"] = ""
                elif kind_of_error == "unknown-municipality":
                    row["Opština"] = "Zlatograd"
                elif kind_of_error == "bad-date":
                    row["Datum popunjavanja"] = "31.02.2026."
                else:
                    row["ID odgovora"] = f"R-{max(i - 1, 0):06d}"
            out.writerow([row.get(column, "") for column in header])
    return planted


#: Run in a child process: the load, its stages timed by wrapping the pipeline's steps.
CHILD = r"""
import json, resource, sys, time, tempfile
from pathlib import Path
import pyoxigraph as ox
from ssekg.loaders import pipeline, read_source
from ssekg.setup import initialise
from ssekg.store import open_store

path, where = Path(sys.argv[1]), sys.argv[2]
stages = {"read-clean-map": 0.0, "stage": 0.0, "validate": 0.0, "commit": 0.0, "derive": 0.0}
cpu = dict(stages)
def timed(name, step):
    def run(*args, **kwargs):
        start, begun = time.perf_counter(), time.process_time()
        try:
            return step(*args, **kwargs)
        finally:
            stages[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - begun
    return run
pipeline.validate_staged = timed("validate", pipeline.validate_staged)
pipeline._commit = timed("commit", pipeline._commit)
pipeline._quads_of = timed("stage", pipeline._quads_of)
pipeline.refresh_derived = timed("derive", pipeline.refresh_derived)
store = open_store("memory" if where == "memory" else str(Path(tempfile.mkdtemp()) / "s"),
                   create=True)
initialise(store)
total, total_cpu = time.perf_counter(), time.process_time()
start, begun = time.perf_counter(), time.process_time()
found, loader, encoding = read_source(path, base=store.graphs_of.base, source_id="survey",
                                      mapping="survey")
stages["read-clean-map"] += time.perf_counter() - start
cpu["read-clean-map"] += time.process_time() - begun
counted = 0
def streamed(records):
    # the records are read as the pipeline asks for them, never all held at once
    global counted
    it = iter(records)
    while True:
        start, begun = time.perf_counter(), time.process_time()
        try:
            record = next(it)
        except StopIteration:
            return
        finally:
            stages["read-clean-map"] += time.perf_counter() - start
            cpu["read-clean-map"] += time.process_time() - begun
        counted += 1
        yield record
result = pipeline.commit_records(store, streamed(found), source_id="survey", files=[path],
                                 loader=loader, encoding=encoding,
                                 report_dir=Path(tempfile.mkdtemp()))
stages["total"] = time.perf_counter() - total
cpu["total"] = time.process_time() - total_cpu
for timing in (stages, cpu):
    measured = sum(timing[name] for name in ("read-clean-map", "stage", "validate", "commit",
                                              "derive"))
    timing["other"] = timing["total"] - measured
# the load's own peak, before the baseline's store adds to it
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# baseline: the committed triples bulk-loaded raw into a fresh pyoxigraph store
nt = Path(tempfile.mkdtemp()) / "committed.nq"
with nt.open("wb") as out:
    store.dump(out)
start, begun = time.perf_counter(), time.process_time()
ox.Store().bulk_load(path=str(nt), format=ox.RdfFormat.N_QUADS)
baseline, baseline_cpu = time.perf_counter() - start, time.process_time() - begun
print(json.dumps({"records": counted, "loaded": result.loaded,
                  "quarantined": result.quarantined, "warnings": result.warnings,
                  "triples": result.triples, "stages": stages, "baseline": baseline,
                  "cpu": cpu, "baseline_cpu": baseline_cpu,
                  "peak_rss_mib": round(peak, 1)}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", type=int, nargs="*", default=[10000, 100000])
    parser.add_argument("--bad", type=float, default=0.05, help="share of bad records")
    parser.add_argument("--store", choices=("memory", "disk"), default="disk")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this directory")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            path = folder / f"survey-{n}.csv"
            planted = write_survey(path, n, args.bad)
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), args.store],
                capture_output=True, text=True, cwd=ROOT,
            )  # fmt: skip
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            row = json.loads(done.stdout.strip().splitlines()[-1])
            row.update(size=n, planted=planted, bytes=path.stat().st_size, store=args.store)
            results.append(row)
            stages, base = row["stages"], row["baseline"]
            print(f"\n{n:,} records ({path.stat().st_size / 1e6:.1f} MB), store on {args.store}: "
                  f"{row['loaded']:,} loaded, {row['quarantined']:,} quarantined "
                  f"(planted {sum(planted.values()):,}), {row['warnings']:,} warnings, "
                  f"{row['triples']:,} triples; peak {row['peak_rss_mib']:,.0f} MiB")  # fmt: skip
            cpu, base_cpu = row["cpu"], row["baseline_cpu"]
            print(f"  {'stage':<16} {'wall s':>8} {'ratio':>7} {'CPU s':>8} {'ratio':>7}")
            print(f"  {'baseline':<16} {base:>8.2f} {1.0:>7.1f} {base_cpu:>8.2f} {1.0:>7.1f}")
            for stage in ("read-clean-map", "stage", "validate", "commit", "derive", "other",
                          "total"):
                print(f"  {stage:<16} {stages[stage]:>8.2f} {stages[stage] / base:>7.1f} "
                      f"{cpu[stage]:>8.2f} {cpu[stage] / base_cpu:>7.1f}")
            print(f"  {n / stages['total']:,.0f} records/s")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"load-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
