#!/usr/bin/env bash
# Runs once, when the db container starts with an empty volume (docker-entrypoint-initdb.d):
# the two roles and the two databases of deploy/stack.sh's pg_setup, passwords from the
# Docker secrets. The DataStore permissions are applied by the ckan image's migrate step.
set -euo pipefail
ckan_pw=$(tr -d '[:space:]' </run/secrets/db_ckan_password)
datastore_pw=$(tr -d '[:space:]' </run/secrets/db_datastore_password)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v ckan_pw="$ckan_pw" -v datastore_pw="$datastore_pw" <<'SQL'
CREATE ROLE ckan_default LOGIN PASSWORD :'ckan_pw';
CREATE ROLE datastore_default LOGIN PASSWORD :'datastore_pw';
CREATE DATABASE ckan_default OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE datastore_default OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0;
SQL
