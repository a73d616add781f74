# The two commands a new user runs: `make demo` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DIR ?= var/demo

.PHONY: demo test lint format bench screenshots clean property

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/progression demo --out $(DEMO_DIR)

# Two pytest-xdist workers; a module's tests, and every test of the demo run, stay on one
# worker (tests/conftest.py), so no costly fixture is made twice.
TEST_WORKERS ?= 2
test: $(STAMP)
	scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# Pictures of the demo report (summary at 1280x800, a chart section, the PDF's pages).
screenshots: $(STAMP)
	scripts/ensure-chromium.sh
	test -f $(DEMO_DIR)/var/reports/latest/index.html || $(BIN)/progression demo --out $(DEMO_DIR)
	$(BIN)/python scripts/screenshots.py $(DEMO_DIR)/var/reports/latest --out var/screenshots

# The nightly run at every size (benchmarks/scale.py): wall, CPU, stages, peak memory.
BENCH_SIZES ?= demo,10x,met,national
BENCH_LIMIT ?= 1200
bench: $(STAMP)
	$(BIN)/python benchmarks/scale.py --sizes $(BENCH_SIZES) --limit $(BENCH_LIMIT)

lint: $(STAMP)
	$(BIN)/ruff format --check . && $(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf var .pytest_cache

# The disclosure property test on a larger seeded set of random forces (make test runs 40).
PROPERTY_FORCES ?= 2000
PROPERTY_SEED ?= 1000
property: $(STAMP)
	PROGRESSION_PROPERTY_FORCES=$(PROPERTY_FORCES) PROGRESSION_PROPERTY_SEED=$(PROPERTY_SEED) \
		$(BIN)/python -m pytest tests/unit/test_property.py -q
