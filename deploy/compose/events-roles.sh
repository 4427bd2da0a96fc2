#!/bin/sh
# First start of the events database only (docker-entrypoint-initdb.d): the operator's step of
# deploy/README.md "Database roles", so the migrations, run as the owner, only grant.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$CONCORDAT_APP_PASSWORD" \
    -v auditor_password="$CONCORDAT_AUDITOR_PASSWORD" <<'SQL'
CREATE ROLE concordat_app LOGIN PASSWORD :'app_password';
CREATE ROLE concordat_auditor LOGIN PASSWORD :'auditor_password' CONNECTION LIMIT 5;
ALTER ROLE concordat_auditor SET statement_timeout = '5min';
SQL
