# naftiko-gen: `make demo` and `make test` do all the set-up (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPEC := specs/flyte-admin-executions.yaml
EXAMPLE := generated_examples/flyte_admin_executions
# Official examples kept generated (and drift-checked) beside the Flyte package.
OFFICIAL := nested-object-output-capability aggregate-shared-mock mcp-resources-prompts-capability

.PHONY: venv demo test lint corpus migrate-corpus examples check-examples bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py --spec $(SPEC) --out out

# The suite checks generated_examples/ too (tests/test_generated_package.py); after an
# intended change of the generated code, `make examples` refreshes it.
test: $(STAMP)
	$(BIN)/python -m pytest

# Build every capability of tests/data/corpus; print what was built and skipped.
corpus: $(STAMP)
	$(BIN)/python -m tests.corpus_check

# Migrate every alpha2 file of tests/data/corpus to beta5; print the counts.
migrate-corpus: $(STAMP)
	$(BIN)/python -m tests.migrate_check

lint: $(STAMP)
	$(BIN)/ruff check naftiko_codegen simulator tests scripts benchmarks hatch_build.py
	$(BIN)/mypy

examples: $(STAMP)
	$(BIN)/naftiko-gen build $(SPEC) -o $(EXAMPLE)
	for name in $(OFFICIAL); do \
	  $(BIN)/naftiko-gen build tests/data/official/$$name.yaml -o generated_examples/official/$$name || exit 1; \
	done

# The checkout's compiled templates refreshed first, so that builds are timed as installed.
bench: $(STAMP)
	$(BIN)/python hatch_build.py
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
