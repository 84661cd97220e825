# Set-up and everyday tasks. Every target builds .venv itself, so a fresh clone needs only
# python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench gazetteer docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m ssekg demo --port $(PORT)

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/python -m ruff check ssekg tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/python -m mypy

unit: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

gazetteer: $(STAMP)
	$(BIN)/python scripts/build_gazetteer.py

docs: $(STAMP)
	$(BIN)/python scripts/build_ontology_doc.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
