# Faultline: `make run` starts everything locally, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# torch first and pinned: an unpinned torch pulls gigabytes of CUDA packages.
TORCH_SPEC ?= torch==2.13.0
PIP_TORCH_ARGS ?=

.PHONY: install run test lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet $(PIP_TORCH_ARGS) "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e '.[local,dev]'
	touch $(STAMP)

run: install
	$(PY) -m monitor.devrun

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# make bench-ingest, bench-embeddings, bench-knn, bench-ml_latency: each prints its figures
bench-%: install
	$(PY) bench/$*.py

clean:
	rm -rf $(VENV) var
