# On a fresh Debian machine with Python 3.11+ and make:
#   make run   - the main job on embedded defaults (lab hosts, embedded Redis, console)
#   make test  - every test
#   make check - lint, typecheck, then every test (what .ci/run runs)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
# MIT Kerberos: the KDC the tests start (lab/kdc.py) and the headers gssapi/pykerberos compile against.
KRB5_DEBS = krb5-kdc krb5-admin-server krb5-user libkrb5-dev

.PHONY: run test lint typecheck check bench clean system-deps

system-deps:
	@if ! command -v krb5kdc >/dev/null || ! command -v kadmin.local >/dev/null || ! command -v krb5-config >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq $(KRB5_DEBS) >/dev/null; \
	  else echo "make: install the Debian packages $(KRB5_DEBS) (MIT Kerberos) first"; exit 1; fi; \
	fi

$(STAMP): pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV) || { echo 'make: "$(PYTHON) -m venv" failed; on Debian: apt-get install python3-venv'; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/cmbot console --with-lab

# Two workers, one per core: the suite's servers all bind port 0, so test files run side by side.
test: system-deps $(STAMP)
	$(BIN)/pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
