# langportal: `make run` serves the app on the local stack, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

CHECKS_VENV := .venv-checks

.PHONY: run test bench xapi-conformance lint infra-check format venv clean-local openapi tables

venv: $(INSTALLED)

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# The tests also run the local-model hint provider: torch (CPU build) and transformers.
$(TEST_INSTALLED): $(INSTALLED) requirements-transformers.txt
	$(BIN)/python -m pip install --quiet -r requirements-transformers.txt
	touch $@

# The admin's browser tests drive Debian's Chromium with Playwright; the CJK font makes
# the Japanese in their screenshots readable.
$(CHROMIUM) $(CJK_FONT) &:
	$(SUDO) apt-get update -q
	$(SUDO) apt-get install -y -q chromium fonts-noto-cjk

$(CHECKS_VENV)/.installed: requirements-checks.txt
	test -x $(CHECKS_VENV)/bin/python || $(PYTHON) -m venv $(CHECKS_VENV)
	$(CHECKS_VENV)/bin/python -m pip install --quiet -r requirements-checks.txt
	touch $@

## run: the app on http://127.0.0.1:$${PORT:-8000} with an AWS emulator on loopback
run: venv
	$(BIN)/python -m langportal.local

## test: lint, the image and terraform checks, then the whole suite (unit and end-to-end)
test: $(TEST_INSTALLED) $(CHROMIUM) $(CJK_FONT) lint infra-check
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## bench: time the API over HTTP (gunicorn, one worker) on a local stack of its own (BENCH_ARGS, e.g. --words 100000)
bench: venv
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

## xapi-conformance: ADL's LRS conformance suite (XAPI_CONFORMANCE_SUITE) against the local stack, 2.0.0 and 1.0.3
xapi-conformance: venv
	$(BIN)/python scripts/xapi_conformance.py $(XAPI_CONFORMANCE_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --no-cache

## infra-check: hadolint on the Dockerfile, terraform fmt and checkov on terraform/
infra-check: venv $(CHECKS_VENV)/.installed
	$(BIN)/hadolint Dockerfile
	@if command -v terraform >/dev/null; then terraform fmt -check -recursive terraform; \
	else echo "terraform is not installed here: skipping terraform fmt -check"; fi
	$(CHECKS_VENV)/bin/checkov -d terraform --config-file terraform/.checkov.yaml

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## openapi: write docs/openapi.yaml from the code (a test fails when they drift apart)
openapi: venv
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

## tables: write terraform/dynamodb.tf.json from the PynamoDB models
tables: venv
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py terraform_tables

## clean-local: forget the local stack's data (words, users, emulator state)
clean-local:
	rm -rf var/
