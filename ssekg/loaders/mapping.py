"""Tabular mappings: a small YAML file that says which column of a spreadsheet (or which path
of a JSON record) becomes which property of an actor, how free text is read as concepts of
the taxonomies, and how each record's IRI is minted (docs/mappings.md).

A mapping is checked whole before any data is read: its YAML, its shape (a JSON Schema in
``mappings/_schema.yaml``), its property names, schemes and concept codes; every mistake is
an :class:`InputError` naming the mapping file and the line. Its columns are checked against
a file's header by :func:`Mapping.resolve_columns`, before the first row is read.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from rapidfuzz import fuzz, process
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from ssekg.errors import InputError
from ssekg.namespaces import SCHEME_BASE, SSEKG
from ssekg.reference import reference_graph
from ssekg.resources import data_dir
from ssekg.text import fold

# --- the properties a mapping can fill -------------------------------------------------------


@dataclass(frozen=True)
class PropertySpec:
    """What a mapping's property name means: how its cells are read (``kind``), the concept
    scheme of concept-valued ones, and whether a cell holds several values by default."""

    kind: str
    scheme: str | None = None
    multi: bool = False


_C = "concept"

#: Every property name a mapping may use (docs/mappings.md lists what each one becomes).
PROPERTIES: dict[str, PropertySpec] = {
    "name": PropertySpec("name"),
    "legalName": PropertySpec("name"),
    "alternateName": PropertySpec("text", multi=True),
    "description": PropertySpec("text"),
    "socialGoal": PropertySpec("text"),
    "keywords": PropertySpec("text", multi=True),
    "actorType": PropertySpec(_C, "actor-type", multi=True),
    "legalForm": PropertySpec(_C, "legal-form"),
    "seStatus": PropertySpec(_C, "se-status-kind"),
    "seStatusDate": PropertySpec("date"),
    "selfIdentifiesAsSE": PropertySpec("boolean"),
    "practice": PropertySpec(_C, "practice", multi=True),
    "targetGroup": PropertySpec(_C, "target-group", multi=True),
    "activity": PropertySpec(_C, "nace-section", multi=True),
    "fulfilsFunction": PropertySpec(_C, "ecosystem-function", multi=True),
    "advocacyTopic": PropertySpec(_C, "advocacy-topic", multi=True),
    "geographicReach": PropertySpec(_C, "geographic-reach"),
    "willingToJoin": PropertySpec(_C, "platform-kind", multi=True),
    "offersCapacity": PropertySpec(_C, "capacity-area", multi=True),
    "needsCapacity": PropertySpec(_C, "capacity-area", multi=True),
    "offersResource": PropertySpec(_C, "resource-type", multi=True),
    "needsResource": PropertySpec(_C, "resource-type", multi=True),
    "registrationNumber": PropertySpec("mb"),
    "taxNumber": PropertySpec("pib"),
    "activityCode": PropertySpec("activity-code"),
    "registerStatus": PropertySpec("register-status"),
    "foundingYear": PropertySpec("year"),
    "registrationDate": PropertySpec("date"),
    "observedOn": PropertySpec("date"),
    "employees": PropertySpec("integer"),
    "employeesFromVulnerableGroups": PropertySpec("integer"),
    "volunteers": PropertySpec("integer"),
    "street": PropertySpec("address"),
    "houseNumber": PropertySpec("address"),
    "postCode": PropertySpec("address"),
    "postName": PropertySpec("address"),
    "fullAddress": PropertySpec("address"),
    "municipality": PropertySpec("place"),
    "district": PropertySpec("place"),
    "country": PropertySpec("country"),
    "latitude": PropertySpec("coordinate"),
    "longitude": PropertySpec("coordinate"),
    "website": PropertySpec("url", multi=True),
    "socialAccount": PropertySpec("url", multi=True),
    "email": PropertySpec("contact", multi=True),
    "phone": PropertySpec("contact", multi=True),
    "contactName": PropertySpec("person"),
    "contactRole": PropertySpec("person"),
    "contactEmail": PropertySpec("person", multi=True),
    "contactPhone": PropertySpec("person", multi=True),
    "contactConsent": PropertySpec("boolean"),
    "network": PropertySpec("relation", multi=True),
    "partner": PropertySpec("relation", multi=True),
    "ignore": PropertySpec("ignore"),
}

#: The concept schemes whose concepts a mapping can give (each one some property's).
CONCEPT_SCHEMES = frozenset(spec.scheme for spec in PROPERTIES.values() if spec.scheme)

#: Where the "other: ..." text of a concept-valued cell goes (default: keywords).
OTHER_TEXT_PROPERTY = {"targetGroup": "socialGoal"}


# --- concepts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConceptRef:
    """A concept named in a mapping or a crosswalk: its scheme and code."""

    scheme: str
    code: str

    @property
    def iri(self) -> URIRef:
        return URIRef(f"{SCHEME_BASE}{self.scheme}/{self.code}")


@dataclass(frozen=True)
class ConceptMatch:
    """What a piece of free text was read as: the concepts, how (``exact``, ``contains``,
    ``fuzzy``, or ``none``), and the key it matched."""

    concepts: tuple[ConceptRef, ...]
    how: str
    matched: str | None = None


def _compact(key: str) -> str:
    return key.replace(" ", "")


class Vocabulary:
    """The concept schemes of the reference graph, indexed for reading free text: each
    concept by its folded prefLabels, altLabels and notation (any script, case and
    diacritics), plus the synonyms and implications of ``mappings/_values.yaml``."""

    def __init__(self, graph: Graph | None = None) -> None:
        graph = graph if graph is not None else reference_graph()
        self.codes: dict[str, dict[str, str]] = {}  # scheme -> folded code -> code
        self.keys: dict[str, dict[str, set[str]]] = {}  # scheme -> folded text -> codes
        self.broader: dict[tuple[str, str], str] = {}
        #: legal-form code -> the register code it is entered in (ssekg:registeredIn)
        self.registers: dict[str, str] = {
            str(form).rsplit("/", 1)[-1]: str(register).rsplit("/", 1)[-1]
            for form, register in graph.subject_objects(SSEKG.registeredIn)
        }
        for concept, scheme_iri in graph.subject_objects(SKOS.inScheme):
            scheme = str(scheme_iri)
            if not scheme.startswith(SCHEME_BASE):
                continue
            name = scheme[len(SCHEME_BASE) :]
            code = str(concept).rsplit("/", 1)[-1]
            self.codes.setdefault(name, {})[code.lower()] = code
            keys = self.keys.setdefault(name, {})
            for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.notation):
                for label in graph.objects(concept, prop):
                    self._add(keys, str(label), code)
            for parent in graph.objects(concept, SKOS.broader):
                self.broader[(name, code)] = str(parent).rsplit("/", 1)[-1]
        values = _values_file()
        for scheme, entries in (values.get("synonyms") or {}).items():
            keys = self.keys.setdefault(scheme, {})
            for code, words in entries.items():
                for word in words:
                    self._add(keys, str(word), str(code))
        self.implied: dict[str, dict[str, str]] = {
            str(s): {str(k): str(v) for k, v in m.items()}
            for s, m in (values.get("implied-actor-type") or {}).items()
        }
        self.name_markers: list[tuple[str, str]] = sorted(
            ((fold(str(w)), str(code)) for code, ws in values["name-markers"].items() for w in ws),
            key=lambda item: -len(item[0]),
        )

    @staticmethod
    def _add(keys: dict[str, set[str]], text: str, code: str) -> None:
        key = fold(text)
        if key:
            keys.setdefault(key, set()).add(code)
            keys.setdefault(_compact(key), set()).add(code)

    def has_scheme(self, scheme: str) -> bool:
        return scheme in self.codes

    def code(self, scheme: str, code: str) -> str | None:
        """The code as the scheme spells it, or None when the scheme has no such concept."""
        return self.codes.get(scheme, {}).get(code.strip().lower())

    def match(
        self,
        scheme: str,
        text: str,
        extra: dict[str, tuple[ConceptRef, ...]] | None = None,
        *,
        fuzzy: bool = True,
    ) -> ConceptMatch:
        """Read ``text`` as concepts: first the mapping's own ``extra`` values, then the
        codes, labels and synonyms of ``scheme``, each exactly (folded); then a known phrase
        inside the text ("Poljoprivredna zadruga Sloga"), the longest winning; then, with
        ``fuzzy``, the nearest label for a misspelling."""
        key = fold(text)
        if not key:
            return ConceptMatch((), "none")
        own = extra or {}
        for candidate in (key, _compact(key)):
            if candidate in own:
                return ConceptMatch(own[candidate], "exact", candidate)
        found = self._exact(scheme, key)
        if found:
            return ConceptMatch(found, "exact", key)
        keys = self._all_keys(scheme, own)
        padded = f" {key} "
        inside = [k for k in keys if len(k) >= 4 and " " + k + " " in padded]
        if inside:
            best = max(inside, key=len)
            if fuzzy and len(key) > len(best) + 2:
                # a misspelt longer label beats the short phrase it contains
                # ("Poljoprivrdna zadruga" is ZAD-POLJ, not just "zadruga")
                near = process.extractOne(key, list(keys), scorer=fuzz.ratio, score_cutoff=90)
                if near is not None and len(near[0]) > len(best):
                    return ConceptMatch(self._lookup(scheme, own, near[0]), "fuzzy", near[0])
            return ConceptMatch(self._lookup(scheme, own, best), "contains", best)
        if " " in key and len(key) >= 8:
            # a phrase that opens or sits inside the labels of one concept only
            # ("pristup finansijama" in "pristup finansijama i prikupljanje sredstava")
            holders = {
                r for k in keys if f" {key} " in f" {k} " for r in self._lookup(scheme, own, k)
            }
            if len(holders) == 1:
                return ConceptMatch(tuple(holders), "contains", key)
        if fuzzy and len(key) >= 5:
            hit = process.extractOne(key, list(keys), scorer=fuzz.ratio, score_cutoff=86)
            if hit is not None:
                return ConceptMatch(self._lookup(scheme, own, hit[0]), "fuzzy", hit[0])
        return ConceptMatch((), "none")

    def _exact(self, scheme: str, key: str) -> tuple[ConceptRef, ...]:
        keys = self.keys.get(scheme, {})
        codes = keys.get(key) or keys.get(_compact(key))
        if not codes:
            return ()
        return tuple(ConceptRef(scheme, c) for c in sorted(codes))

    def _all_keys(self, scheme: str, own: dict[str, tuple[ConceptRef, ...]]) -> list[str]:
        return [*own, *(k for k in self.keys.get(scheme, {}) if " " in k or len(k) >= 4)]

    def _lookup(
        self, scheme: str, own: dict[str, tuple[ConceptRef, ...]], key: str
    ) -> tuple[ConceptRef, ...]:
        return own[key] if key in own else self._exact(scheme, key)

    def kind_from_name(self, name: str) -> str | None:
        """The actor type that words in a name point to ("Udruženje ..." → ASSOC), or None."""
        padded = f" {fold(name)} "
        for marker, code in self.name_markers:
            if f" {marker} " in padded:
                return code
        return None


@lru_cache(maxsize=1)
def _values_file() -> dict[str, Any]:
    text = data_dir("loaders").joinpath("mappings").joinpath("_values.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The package's vocabulary, built once."""
    return Vocabulary()


# --- the mapping -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FieldMapping:
    """One ``fields`` entry: where its values are (header names or a JSON path), what
    property they fill, and how they are read."""

    property: str
    line: int
    columns: tuple[str, ...] = ()
    path: str | None = None
    optional: bool = False
    multi: bool = False
    separator: str | None = None
    language: str | None = None
    fuzzy: bool = True
    prefix: str | None = None
    if_yes: ConceptRef | None = None
    values: dict[str, tuple[ConceptRef, ...]] = field(default_factory=dict)

    # ``property`` is a field here, so the decorator is named in full
    @builtins.property
    def spec(self) -> PropertySpec:
        return PROPERTIES[self.property]

    @builtins.property
    def label(self) -> str:
        """How problems name the field: its first header, or its JSON path."""
        return self.columns[0] if self.columns else (self.path or self.property)


@dataclass(frozen=True)
class Constant:
    """A value every record gets (``constants``), read like a cell of that property."""

    property: str
    value: str
    line: int


@dataclass(frozen=True)
class Mapping:
    """A checked mapping. ``source`` is the file it came from (or the bundled name)."""

    name: str
    source: str
    fields: tuple[FieldMapping, ...]
    constants: tuple[Constant, ...] = ()
    format: str = "table"
    header_rows: int | str = "auto"
    sheet: str | None = None
    records: str | None = None
    separator: str | None = None
    language: str | None = None
    key_columns: tuple[str, ...] = ()
    key_path: str | None = None
    key_hash: tuple[str, ...] = ()
    key_line: int = 0
    prefer_mb: bool = True
    title: str | None = None

    def error(self, line: int, en: str, sr: str) -> InputError:
        """An InputError about this mapping at a line."""
        return mapping_error(self.source, line, en, sr)

    def header_names(self) -> set[str]:
        """Every header name the mapping knows, folded (for telling a second header row)."""
        names = {fold(c) for f in self.fields for c in f.columns}
        names |= {fold(c) for c in self.key_columns + self.key_hash}
        return names

    def resolve_columns(
        self, headers: Sequence[Sequence[str]], file: str
    ) -> tuple[dict[FieldMapping, int], list[int], list[int]]:
        """The column index of each field, and of the key and hash columns, found in any of
        the header rows (names folded: any script, case or diacritics). A column the mapping
        names that the file lacks is an InputError naming the mapping's line and the file's
        headers, unless the field is ``optional``."""
        index: dict[str, int] = {}
        for row in headers:
            for i, name in enumerate(row):
                key = fold(str(name or ""))
                if key and key not in index:
                    index[key] = i
        shown = ", ".join(repr(str(h)) for h in headers[0] if str(h or "").strip())

        def find(names: tuple[str, ...], line: int, optional: bool) -> int | None:
            for name in names:
                if fold(name) in index:
                    return index[fold(name)]
            if optional:
                return None
            listed = " / ".join(repr(n) for n in names)
            raise self.error(
                line,
                f"the column {listed} is not in the header of {file} (its columns are: "
                f"{shown}); correct the column name in the mapping or mark the field "
                "'optional: true'.",
                f"kolona {listed} nije u zaglavlju datoteke {file} (njene kolone su: {shown}); "
                "ispravite naziv kolone u mapiranju ili označite polje sa 'optional: true'.",
            )

        columns: dict[FieldMapping, int] = {}
        for f in self.fields:
            if f.columns:
                found = find(f.columns, f.line, f.optional)
                if found is not None:
                    columns[f] = found
        key_index: list[int] = []
        if self.key_columns:
            found = find(self.key_columns, self.key_line, False)
            if found is not None:
                key_index.append(found)
        hash_index: list[int] = []
        for name in self.key_hash:
            found = find((name,), self.key_line, False)
            if found is not None:
                hash_index.append(found)
        return columns, key_index, hash_index


def mapping_error(source: str, line: int, en: str, sr: str) -> InputError:
    where = f"{source}, line {line}" if line else source
    where_sr = f"{source}, red {line}" if line else source
    return InputError(f"{where}: {en}", f"{where_sr}: {sr}")


# --- reading a mapping file ------------------------------------------------------------------

MAPPINGS_DIR = "mappings"


def bundled_mappings() -> list[str]:
    """Names of the mappings shipped with ssekg (``survey``, ``apr``, ``dcc``, ...)."""
    folder = data_dir("loaders").joinpath(MAPPINGS_DIR)
    return sorted(
        f.name[: -len(".yaml")]
        for f in folder.iterdir()
        if f.name.endswith(".yaml") and not f.name.startswith("_")
    )


def load_mapping(spec: str | Path, vocab: Vocabulary | None = None) -> Mapping:
    """A mapping by bundled name (``"survey"``) or by path to a YAML file, checked whole:
    InputError (with the mapping's file and line) for bad YAML, a wrong shape, an unknown
    property, scheme or concept code."""
    text, source = _mapping_text(spec)
    return parse_mapping(text, source, vocab)


def _mapping_text(spec: str | Path) -> tuple[str, str]:
    name = str(spec)
    if name in bundled_mappings():
        file = data_dir("loaders").joinpath(MAPPINGS_DIR).joinpath(f"{name}.yaml")
        return file.read_text(encoding="utf-8"), f"{name}.yaml"
    path = Path(spec)
    if not path.is_file():
        known = ", ".join(bundled_mappings())
        raise InputError(
            f"the mapping {name!r} is neither a file nor a bundled mapping ({known}); give "
            "the path of a YAML mapping or one of those names.",
            f"mapiranje {name!r} nije ni datoteka ni ugrađeno mapiranje ({known}); navedite "
            "putanju do YAML mapiranja ili jedno od tih imena.",
        )
    try:
        return path.read_text(encoding="utf-8-sig"), str(path)
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: the mapping is not UTF-8 text; save it as UTF-8.",
            f"{path}: mapiranje nije UTF-8 tekst; sačuvajte ga kao UTF-8.",
        ) from None


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    file = data_dir("loaders").joinpath(MAPPINGS_DIR).joinpath("_schema.yaml")
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


class _MappingLoader(yaml.SafeLoader):
    """YAML as a mapping's author writes it: a date stays text (``observedOn: 2026-02-15``
    is a cell's value, read like any other)."""


_MappingLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _scalars(node: yaml.Node) -> list[str]:
    """The text of a scalar or of a list of scalars, as written (so ``NO`` stays Norway)."""
    if isinstance(node, yaml.SequenceNode):
        return [str(item.value) for item in node.value if isinstance(item, yaml.ScalarNode)]
    if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return [str(node.value)]
    return []


def _compose(text: str, source: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=_MappingLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = error.problem or "not valid YAML"
        raise mapping_error(
            source,
            line,
            f"the mapping is not valid YAML ({problem}); fix the file there.",
            f"mapiranje nije ispravan YAML ({problem}); ispravite datoteku na tom mestu.",
        ) from None
    except yaml.YAMLError as error:
        raise mapping_error(
            source,
            0,
            f"the mapping is not valid YAML ({error}); fix the file.",
            f"mapiranje nije ispravan YAML ({error}); ispravite datoteku.",
        ) from None
    if node is None:
        raise mapping_error(
            source,
            1,
            "the mapping is empty; write at least 'mapping:' and 'fields:'.",
            "mapiranje je prazno; napišite bar 'mapping:' i 'fields:'.",
        )
    return node


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _node_at(root: yaml.Node, path: Iterable[Any]) -> yaml.Node:
    """The YAML node at a JSON Schema error's path (keys and list indexes)."""
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == step:
                    node = value
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return node
            node = node.value[step]
        else:
            return node
    return node


def _key_node(root: yaml.Node, path: Sequence[Any], key: str) -> yaml.Node:
    parent = _node_at(root, path)
    if isinstance(parent, yaml.MappingNode):
        for k, _ in parent.value:
            if k.value == key:
                return k
    return parent


def _check_duplicate_keys(node: yaml.Node, source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                raise mapping_error(
                    source,
                    _line(key),
                    f"the key {key.value!r} appears twice here; keep one.",
                    f"ključ {key.value!r} se ovde javlja dvaput; zadržite jedan.",
                )
            seen.add(key.value)
            _check_duplicate_keys(value, source)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(item, source)


def _schema_error(error: jsonschema.ValidationError, root: yaml.Node, source: str) -> InputError:
    path = list(error.absolute_path)
    where = "/".join(str(p) for p in path) or "the top level"
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        name = extra[0] if extra else "?"
        node = _key_node(root, path, name)
        return mapping_error(
            source,
            _line(node),
            f"{name!r} is not a setting of a mapping at {where}; see docs/mappings.md for the "
            "settings there are.",
            f"{name!r} nije podešavanje mapiranja na mestu {where}; pogledajte docs/mappings.md "
            "za postojeća podešavanja.",
        )
    node = _node_at(root, path)
    if error.validator == "required":
        missing = re.findall(r"'([^']+)'", error.message)
        name = missing[0] if missing else "?"
        return mapping_error(
            source,
            _line(node),
            f"{where} lacks {name!r}; add it.",
            f"na mestu {where} nedostaje {name!r}; dodajte ga.",
        )
    if error.validator == "oneOf" and path and path[0] == "fields":
        return mapping_error(
            source,
            _line(node),
            "a field needs either 'column' (a table) or 'path' (JSON), not both and not neither.",
            "polje mora imati ili 'column' (tabela) ili 'path' (JSON), ne oba i ne nijedno.",
        )
    return mapping_error(
        source,
        _line(node),
        f"{where}: {error.message}; see docs/mappings.md.",
        f"{where}: neispravna vrednost ({error.message}); pogledajte docs/mappings.md.",
    )


def parse_mapping(text: str, source: str, vocab: Vocabulary | None = None) -> Mapping:
    """Check a mapping's text (see :func:`load_mapping`) and build it."""
    root = _compose(text, source)
    _check_duplicate_keys(root, source)
    data = yaml.load(text, Loader=_MappingLoader)
    if not isinstance(data, dict):
        raise mapping_error(
            source,
            _line(root),
            "a mapping must be a set of 'key: value' settings with 'mapping:' and 'fields:'.",
            "mapiranje mora biti skup podešavanja 'ključ: vrednost' sa 'mapping:' i 'fields:'.",
        )
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), e.path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise _schema_error(best if best is not None else errors[0], root, source)
    vocab = vocab or vocabulary()
    builder = _Builder(root, source, vocab)
    fields = tuple(builder.field(i, entry) for i, entry in enumerate(data["fields"]))
    constants = tuple(builder.constant(k, v) for k, v in (data.get("constants") or {}).items())
    key = data.get("key") or {}
    key_node = _node_at(root, ["key"]) if "key" in data else root
    fmt = str(data.get("format", "table"))
    mapping = Mapping(
        name=str(data["mapping"]),
        source=source,
        fields=fields,
        constants=constants,
        format=fmt,
        header_rows=data.get("header-rows", "auto"),
        sheet=data.get("sheet"),
        records=data.get("records"),
        separator=data.get("separator"),
        language=data.get("language"),
        key_columns=_names(key.get("column")),
        key_path=key.get("path"),
        key_hash=tuple(str(c) for c in key.get("hash") or ()),
        key_line=_line(key_node),
        prefer_mb=bool(key.get("prefer-mb", True)),
        title=data.get("title"),
    )
    _check_whole(mapping, root)
    return mapping


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _check_whole(mapping: Mapping, root: yaml.Node) -> None:
    """Checks across settings: a key, and column fields for tables, path fields for JSON."""
    if len([k for k in (mapping.key_columns, mapping.key_path, mapping.key_hash) if k]) > 1:
        raise mapping.error(
            mapping.key_line,
            "the key is either 'column', 'path' or 'hash', only one of them.",
            "ključ je ili 'column', ili 'path', ili 'hash', samo jedno od toga.",
        )
    if not (mapping.key_columns or mapping.key_path or mapping.key_hash):
        raise mapping.error(
            mapping.key_line,
            "the mapping has no 'key': say which column identifies a record ('key: {column: "
            "...}') or which columns to hash ('key: {hash: [...]}'), so reloads keep the IRIs.",
            "mapiranje nema 'key': navedite kolonu koja označava zapis ('key: {column: ...}') "
            "ili kolone za heš ('key: {hash: [...]}'), da ponovno učitavanje zadrži IRI-je.",
        )
    wanted = "path" if mapping.format == "json" else "column"
    for f in mapping.fields:
        if (f.path is not None) != (wanted == "path"):
            raise mapping.error(
                f.line,
                f"this field uses {'path' if f.path else 'column'}, but a {mapping.format} "
                f"mapping reads its fields by '{wanted}'.",
                f"ovo polje koristi {'path' if f.path else 'column'}, a mapiranje formata "
                f"{mapping.format} čita polja preko '{wanted}'.",
            )
    if mapping.format == "json" and mapping.key_columns:
        raise mapping.error(
            mapping.key_line,
            "a JSON mapping names its key by 'path', not 'column'.",
            "JSON mapiranje navodi ključ preko 'path', a ne 'column'.",
        )
    names = [f.property for f in mapping.fields] + [c.property for c in mapping.constants]
    if "name" not in names and "legalName" not in names:
        raise mapping.error(
            _line(root),
            "the mapping fills no 'name' (or 'legalName'); every actor needs a name.",
            "mapiranje ne popunjava 'name' (ni 'legalName'); svaki akter mora imati naziv.",
        )


class _Builder:
    """Turns checked YAML into fields and constants, checking names against the ontology."""

    def __init__(self, root: yaml.Node, source: str, vocab: Vocabulary) -> None:
        self.root = root
        self.source = source
        self.vocab = vocab

    def _error(self, node: yaml.Node, en: str, sr: str) -> InputError:
        return mapping_error(self.source, _line(node), en, sr)

    def _property(self, name: str, node: yaml.Node) -> PropertySpec:
        if name not in PROPERTIES:
            close = process.extractOne(name, list(PROPERTIES), scorer=fuzz.ratio)
            hint = f" (did you mean {close[0]!r}?)" if close and close[1] >= 70 else ""
            hint_sr = f" (da li ste mislili {close[0]!r}?)" if close and close[1] >= 70 else ""
            raise self._error(
                node,
                f"{name!r} is not a property a mapping can fill{hint}; docs/mappings.md lists "
                "them.",
                f"{name!r} nije svojstvo koje mapiranje može da popuni{hint_sr}; spisak je u "
                "docs/mappings.md.",
            )
        return PROPERTIES[name]

    def concept(self, text: str, default_scheme: str | None, node: yaml.Node) -> ConceptRef:
        """``CODE`` in the field's own scheme, or ``scheme:CODE`` in another one."""
        scheme, _, code = text.rpartition(":")
        scheme = scheme.strip() or (default_scheme or "")
        if not self.vocab.has_scheme(scheme) or scheme not in CONCEPT_SCHEMES:
            known = ", ".join(sorted(CONCEPT_SCHEMES))
            raise self._error(
                node,
                f"{scheme or '(none)'!r} is not a concept scheme a mapping can give (in "
                f"{text!r}); the schemes are: {known}.",
                f"{scheme or '(nijedna)'!r} nije šema pojmova koju mapiranje može da daje (u "
                f"{text!r}); šeme su: {known}.",
            )
        spelled = self.vocab.code(scheme, code)
        if spelled is None:
            sample = ", ".join(sorted(self.vocab.codes[scheme].values())[:40])
            raise self._error(
                node,
                f"{code.strip()!r} is not a concept of the scheme {scheme} (codes: {sample}); "
                "use one of its codes.",
                f"{code.strip()!r} nije pojam šeme {scheme} (oznake: {sample}); koristite "
                "jednu od njenih oznaka.",
            )
        return ConceptRef(scheme, spelled)

    def field(self, index: int, entry: dict[str, Any]) -> FieldMapping:
        node = _node_at(self.root, ["fields", index])
        prop_node = _node_at(self.root, ["fields", index, "property"])
        spec = self._property(str(entry["property"]), prop_node)
        values: dict[str, tuple[ConceptRef, ...]] = {}
        if "values" in entry:
            values_node = _node_at(self.root, ["fields", index, "values"])
            if spec.kind != _C:
                raise self._error(
                    values_node,
                    f"'values' read text as concepts, and {entry['property']!r} takes no concepts.",
                    f"'values' čitaju tekst kao pojmove, a {entry['property']!r} ne prima pojmove.",
                )
            assert isinstance(values_node, yaml.MappingNode)
            for key_node, value_node in values_node.value:
                refs = tuple(
                    self.concept(v, spec.scheme, value_node) for v in _scalars(value_node)
                )
                key = fold(str(key_node.value))
                if not key:
                    raise self._error(
                        key_node,
                        "a value to match must have letters or digits.",
                        "vrednost za poređenje mora imati slova ili cifre.",
                    )
                values[key] = refs
                values.setdefault(_compact(key), refs)
        if_yes = None
        if "if-yes" in entry:
            yes_node = _node_at(self.root, ["fields", index, "if-yes"])
            if spec.kind != _C:
                raise self._error(
                    yes_node,
                    f"'if-yes' gives a concept, and {entry['property']!r} takes no concepts.",
                    f"'if-yes' daje pojam, a {entry['property']!r} ne prima pojmove.",
                )
            if_yes = self.concept(str(entry["if-yes"]), spec.scheme, yes_node)
        return FieldMapping(
            property=str(entry["property"]),
            line=_line(node),
            columns=_names(entry.get("column")),
            path=entry.get("path"),
            optional=bool(entry.get("optional", False)),
            multi=bool(entry.get("multi", spec.multi)),
            separator=entry.get("separator"),
            language=entry.get("language"),
            fuzzy=bool(entry.get("fuzzy", True)),
            prefix=entry.get("prefix"),
            if_yes=if_yes,
            values=values,
        )

    def constant(self, name: str, value: Any) -> Constant:
        node = _key_node(self.root, ["constants"], name)
        spec = self._property(str(name), node)
        value_node = _node_at(self.root, ["constants", name])
        written = _scalars(value_node)
        text = written[0] if written else str(value)
        if spec.kind == _C:
            ref = self.concept(text, spec.scheme, value_node)
            if ref.scheme != spec.scheme:
                raise self._error(
                    value_node,
                    f"a constant of {name} is a concept of its scheme {spec.scheme}, not of "
                    f"{ref.scheme}; give one of its codes, or a constant of the property of "
                    f"{ref.scheme}.",
                    f"konstanta svojstva {name} je pojam njegove šeme {spec.scheme}, a ne šeme "
                    f"{ref.scheme}; navedite jednu od njenih oznaka ili konstantu svojstva šeme "
                    f"{ref.scheme}.",
                )
            text = ref.code
        return Constant(str(name), text, _line(node))
