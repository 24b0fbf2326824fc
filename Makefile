# Two set-up commands (see README):  `make run`  and  `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test install install-test lint

# TORCH_INDEX=https://download.pytorch.org/whl/cpu: torch without its CUDA libraries (README),
# at pyproject.toml's pins
TORCH_INDEX ?=
TORCH_PINS := $(shell grep -o '"torch\(vision\)\?==[^"]*"' pyproject.toml | tr -d '"')

$(VENV)/bin/activate:
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { \
	  echo "ganpipe needs Python 3.10 or newer; python3 is $$(python3 --version 2>&1)" >&2; exit 1; }
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(if $(TORCH_INDEX),$(PIP) install -q $(TORCH_PINS) --index-url $(TORCH_INDEX))

install: $(VENV)/bin/activate
	$(PIP) install -q -e .

install-test: $(VENV)/bin/activate
	$(PIP) install -q -e ".[test]"

## 1. Create the venv, install, and run the whole pipeline on the default (Fashion-MNIST).
run: install
	@test -d .dvc || $(VENV)/bin/dvc init -q
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/dvc repro

## 2. Create the venv, install the test extra, and run the tests (lint included).
test: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/pytest -q
