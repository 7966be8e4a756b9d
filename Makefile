# Liandong: `make run` starts the platform on the embedded default; `make test` runs every test
# against the embedded adapters, a real Kafka broker and a real FerretDB.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# the services are named once, in liandong.registry (read from source: the venv may not exist yet)
PACKAGES := shared $(addprefix services/,$(shell PYTHONPATH=shared/src $(PYTHON) -m liandong.registry names))
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
SERVICE ?=

.PHONY: run test bench install clean-data help

help:
	@echo "make run    start the gateway and the four services on http://localhost:8000 (embedded, data in ./data)"
	@echo "make test   install what tests need, start Kafka and FerretDB, run every test"
	@echo "make test SERVICE=petition   one service's tests, the contract suites, its architecture and API style"
	@echo "            rows (any of: $$($(BIN)/python -m liandong.registry names 2>/dev/null || echo 'see liandong/registry.py'))"
	@echo "make bench  measure the platform beside the raw limits of this machine (artifacts/bench/; exits 1 on a refused figure or a failed check)"

$(STAMP): $(foreach p,$(PACKAGES),$(p)/pyproject.toml) constraints.txt requirements-test.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt --upgrade setuptools  # the venv's own 65.5 has known CVEs
	$(BIN)/python -m pip install -q -c constraints.txt $(foreach p,$(PACKAGES),-e $(p)) -r requirements-test.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python deploy/local/run.py

test: $(STAMP)
	SERVICE=$(SERVICE) bash deploy/local/test.sh $(PYTEST_ARGS)

bench: $(STAMP)
	@command -v wrk >/dev/null || (apt-get install -y -q wrk >/dev/null 2>&1 || (echo "make bench needs wrk (apt-get install wrk)" && exit 1))
	$(BIN)/python -m pip install -q -r requirements-bench.txt
	tests/bench/run.sh

clean-data:
	rm -rf data
