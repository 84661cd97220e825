"""Write the survey templates, ssekg/loaders/templates/survey.xlsx and survey.csv, from the
bundled mapping ssekg/loaders/mappings/survey.yaml, so the template and the mapping that
reads it cannot drift apart.

The workbook has the answers sheet (Serbian headers, English ones in the second row, drop-down
lists for single-choice and yes/no columns), a sheet of the allowed answers of each choice
column (the labels of the taxonomies) and instructions in both languages. The CSV has the two
header rows only (UTF-8 with a byte-order mark, ';' as Excel writes it in Serbian locales).

Run: .venv/bin/python scripts/build_survey_template.py
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from rdflib import URIRef
from rdflib.namespace import SKOS

from ssekg.loaders.mapping import PROPERTIES, load_mapping
from ssekg.namespaces import SCHEME_BASE
from ssekg.reference import reference_graph

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "ssekg" / "loaders" / "templates"
#: A fixed time in the workbook's properties, so a rebuild with no change gives the same file.
STAMP = datetime(2026, 1, 1)

INSTRUCTIONS = [
    ("Upitnik za mapiranje ekosistema socijalne i solidarne ekonomije", "bold"),
    ("Mapping survey of the social and solidarity economy ecosystem", "bold"),
    ("", ""),
    ("Jedan red lista „Odgovori“ je jedna organizacija ili inicijativa.", ""),
    ("One row of the sheet 'Odgovori' is one organisation or initiative.", ""),
    ("Prvi red su nazivi kolona na srpskom, drugi na engleskom; ne menjajte ih.", ""),
    ("Row 1 names the columns in Serbian, row 2 in English; do not change them.", ""),
    ("„ID odgovora“ mora biti jedinstven i isti pri svakom ponovnom slanju.", ""),
    ("'Response ID' must be unique, and the same whenever the answers are sent again.", ""),
    ("Više odgovora u jednoj ćeliji odvojite tačkom i zarezom (;).", ""),
    ("Separate several answers in one cell with a semicolon (;).", ""),
    ("Odgovor koji nije na spisku upišite kao „drugo: …“.", ""),
    ("An answer that is not on the list goes in as 'other: …'.", ""),
    ("Dozvoljeni odgovori su na listu „Šifarnik“; ćirilica i latinica su podjednako dobre.", ""),
    ("The allowed answers are on the sheet 'Šifarnik'; Cyrillic and Latin are equally fine.", ""),
    ("Kontakti se objavljuju samo uz „Da“ u koloni o saglasnosti; ime kontakt osobe nikad.", ""),
    ("Contacts are published only with 'Da' in the consent column; a person's name never.", ""),
    ("Datume pišite kao 15.03.2024.", ""),
    ("Write dates like 15.03.2024.", ""),
]


def _labels(scheme: str) -> list[tuple[str, str, str]]:
    """(code, Serbian Latin label, English label) of the concepts of a scheme."""
    graph = reference_graph()
    rows = []
    for concept in graph.subjects(SKOS.inScheme, URIRef(SCHEME_BASE + scheme)):
        labels = {
            getattr(o, "language", None): str(o) for o in graph.objects(concept, SKOS.prefLabel)
        }
        code = str(concept).rsplit("/", 1)[-1]
        rows.append((code, labels.get("sr-Latn", code), labels.get("en", code)))
    return sorted(rows, key=lambda r: r[1].lower())


def build() -> tuple[bytes, bytes]:
    mapping = load_mapping("survey")
    fields = list(mapping.fields)
    serbian = [mapping.key_columns[0]] + [f.columns[0] for f in fields]
    english = [mapping.key_columns[1]] + [f.columns[1] for f in fields]

    book = Workbook()
    answers = book.active
    assert answers is not None
    answers.title = "Odgovori"
    answers.append(serbian)
    answers.append(english)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for column, name in enumerate(serbian, start=1):
        letter = get_column_letter(column)
        answers.column_dimensions[letter].width = max(14, min(40, len(name) + 4))
        for row in (1, 2):
            cell = answers.cell(row=row, column=column)
            cell.font = bold if row == 1 else Font(italic=True)
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    answers.freeze_panes = "B3"

    codes = book.create_sheet("Šifarnik")
    codes.append(["Kolona / Column", "Odgovor / Answer (sr)", "Answer (en)", "Šifra / Code"])
    for cell in codes[1]:
        cell.font = bold
    lists: dict[str, str] = {}
    for f in fields:
        scheme = PROPERTIES[f.property].scheme
        if scheme is None or f.if_yes is not None or f.property in lists:
            continue
        first = codes.max_row + 1
        for code, sr, en in _labels(scheme):
            codes.append([f.columns[0], sr, en, code])
        lists[f.property] = f"'Šifarnik'!$B${first}:$B${codes.max_row}"
    for letter, width in zip("ABCD", (34, 48, 48, 20), strict=True):
        codes.column_dimensions[letter].width = width

    yes_no = DataValidation(type="list", formula1='"Da,Ne"', allow_blank=True)
    answers.add_data_validation(yes_no)
    for column, f in enumerate(fields, start=2):
        letter = get_column_letter(column)
        cells = f"{letter}3:{letter}1000"
        if f.if_yes is not None or PROPERTIES[f.property].kind == "boolean":
            yes_no.add(cells)
        elif not f.multi and f.property in lists:
            # single-choice columns get a drop-down; typed answers are still accepted
            choice = DataValidation(type="list", formula1=lists[f.property], allow_blank=True)
            choice.showErrorMessage = False
            answers.add_data_validation(choice)
            choice.add(cells)

    guide = book.create_sheet("Uputstvo")
    guide.column_dimensions["A"].width = 110
    for text, style in INSTRUCTIONS:
        guide.append([text])
        if style == "bold":
            guide.cell(row=guide.max_row, column=1).font = bold

    book.properties.creator = "ssekg"
    book.properties.created = STAMP
    book.properties.modified = STAMP
    xlsx = io.BytesIO()
    book.save(xlsx)

    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(serbian)
    writer.writerow(english)
    return _fixed_zip(xlsx.getvalue()), text.getvalue().encode("utf-8-sig")


def _fixed_zip(data: bytes) -> bytes:
    """The workbook with its zip entries dated ``STAMP``, so rebuilding gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=STAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the time of saving as "modified"
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", content
                )
            target.writestr(fixed, content)
    return out.getvalue()


def main() -> None:
    xlsx, csv_bytes = build()
    TEMPLATES.mkdir(parents=True, exist_ok=True)
    (TEMPLATES / "survey.xlsx").write_bytes(xlsx)
    (TEMPLATES / "survey.csv").write_bytes(csv_bytes)
    print(f"wrote {TEMPLATES / 'survey.xlsx'} and {TEMPLATES / 'survey.csv'}")


if __name__ == "__main__":
    main()
