# The two commands: `make demo` and `make test`. Everything else is a helper of those.
# `make demo` installs the runtime only (wheels, no compiler); `make test`, `lint`, `typecheck` and
# `bench` add the test extra (docs/install.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# axe-core for the accessibility browser tests, pinned by e2e/package-lock.json (needs node and npm).
E2E_STAMP := e2e/node_modules/.installed

.PHONY: install install-test demo test serve lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

$(E2E_STAMP): e2e/package.json e2e/package-lock.json
	npm ci --prefix e2e --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(E2E_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

# With DEBUG off the site refuses to start without a SECRET_KEY: the demo makes one per checkout.
DEMO_SECRET_KEY := var/demo-secret-key

$(DEMO_SECRET_KEY):
	mkdir -p $(dir $@)
	umask 077; $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

demo: install $(DEMO_SECRET_KEY)
	export SECRET_KEY=$${SECRET_KEY:-$$(cat $(DEMO_SECRET_KEY))}; \
	$(BIN)/tiewatch migrate && $(BIN)/tiewatch demo load && \
	TIEWATCH_SITE_URL=$${TIEWATCH_SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/tiewatch serve --port $(PORT)

test: install-test
	@$(MAKE) --no-print-directory $(E2E_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

typecheck: install-test
	$(BIN)/mypy tiewatch config

bench: install-test
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/screening.py
	$(BIN)/python bench/arms.py
	$(BIN)/python bench/petition_load.py

clean:
	rm -rf $(VENV) var
