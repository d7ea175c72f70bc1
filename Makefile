# The two commands: `make demo` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install demo test serve lint typecheck bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# With DEBUG off the site refuses to start without a SECRET_KEY: the demo makes one per checkout.
DEMO_SECRET_KEY := var/demo-secret-key

$(DEMO_SECRET_KEY):
	mkdir -p $(dir $@)
	umask 077; $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

demo: install $(DEMO_SECRET_KEY)
	export SECRET_KEY=$${SECRET_KEY:-$$(cat $(DEMO_SECRET_KEY))}; \
	$(BIN)/tiewatch migrate && $(BIN)/tiewatch demo load && \
	TIEWATCH_SITE_URL=$${TIEWATCH_SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/tiewatch serve --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check tiewatch config bench e2e

typecheck: install
	$(BIN)/mypy tiewatch config

bench: install
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/screening.py
	$(BIN)/python bench/arms.py
	$(BIN)/python bench/petition_load.py

clean:
	rm -rf $(VENV) var
