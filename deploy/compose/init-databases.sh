#!/bin/sh
# PostgreSQL init script (run once, on an empty data volume, by the postgres image's entrypoint):
# one database per service, owned by $POSTGRES_USER. Each service creates its own tables
# (kysely migrations) at start-up.
set -eu
for database in heroes villains locations fights; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --command "CREATE DATABASE \"$database\" OWNER \"$POSTGRES_USER\""
done
