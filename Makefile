# Two commands for a newcomer: `make up` (the portal with demo content on
# http://127.0.0.1:5000) and `make test` (the whole suite against real services).
# State lives in $(REGIONALIOT_DATA), default ./var; see deploy/stack.sh.

REGIONALIOT_DATA ?= $(CURDIR)/var
export REGIONALIOT_DATA
VENV ?= $(CURDIR)/.venv
PYTEST_FLAGS ?= -q -p no:cacheprovider
ARGS ?= tests

.PHONY: up down status install services services-slot services-bench test test-unit lint backup restore lock bench clean-test test-production

up:
	@deploy/stack.sh up

down:
	@deploy/stack.sh down

status:
	@deploy/stack.sh status

install:
	@deploy/stack.sh install

# PostgreSQL, Redis and Solr, with the portal's and the tests' databases migrated.
services:
	@deploy/stack.sh services

# The whole suite on the test profile (ckan_test databases, Solr core ckan_test, Redis db 1,
# filestore var/storage-test): a test run never touches the portal's data.
# TEST_SLOT=N (1-9) runs against an extra profile of its own (test-N.ini), so that several
# test runs can share the machine: `TEST_SLOT=3 make test ARGS=tests/ckanext/ideas`.
TEST_SLOT ?=
test: $(if $(TEST_SLOT),services-slot,services)
	@$(VENV)/bin/python -m pytest --ckan-ini=$(REGIONALIOT_DATA)/test$(if $(TEST_SLOT),-$(TEST_SLOT)).ini $(PYTEST_FLAGS) $(ARGS)

services-slot:
	@deploy/stack.sh services-slot "$(TEST_SLOT)"

# The benchmarks' profile (ckan_bench, datastore_bench), migrated: run once before bench/*.
services-bench:
	@deploy/stack.sh services-bench

# Pure unit tests only (validation engine, schemas, KPI arithmetic): no services needed.
test-unit:
	@$(VENV)/bin/python -m pytest -p no:ckan -p no:ckan_fixtures $(PYTEST_FLAGS) tests/validation tests/schemas tests/unit

# The production images and compose stack under podman (deploy/production/, as root): build
# every image, start nginx + 2 web replicas + SolrCloud + the rest, run the failover tests,
# tear down. Slow (ARCHITECTURE.md "Production" has the figures); not part of `make test`.
test-production:
	@deploy/production/test.sh

lint:
	@$(VENV)/bin/ruff check .

# STACK=production: the compose stack's (deploy/production/backup.sh, project PROD_PROJECT).
BACKUP_SH = $(if $(filter production,$(STACK)),deploy/production/backup.sh,deploy/backup.sh)
backup:
	@$(BACKUP_SH) backup

# make restore FILE=var/backups/regionaliot-YYYYmmdd-HHMMSS.tar.gz [STACK=production]
restore:
	@$(BACKUP_SH) restore "$(FILE)"

# Re-pin every Python package after changing deploy/requirements.txt.
lock:
	@(echo "# Exact versions CI tested (pip freeze --all of .venv on Python 3.11). Regenerate with: make lock"; \
	  $(VENV)/bin/pip freeze --all --exclude-editable | grep -v "ckanext-regionaliot\|^pip==") > deploy/constraints.txt
