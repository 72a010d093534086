# naftiko-gen: `make demo` and `make test` do all the set-up (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPEC := specs/flyte-admin-executions.yaml
EXAMPLE := generated_examples/flyte_admin_executions

.PHONY: venv demo test lint examples check-examples bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py --spec $(SPEC) --out out

test: $(STAMP)
	$(BIN)/naftiko-gen build $(SPEC) -o $(EXAMPLE) --check
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check naftiko_codegen simulator tests scripts
	$(BIN)/mypy

examples: $(STAMP)
	$(BIN)/naftiko-gen build $(SPEC) -o $(EXAMPLE)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
