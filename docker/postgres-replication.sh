#!/bin/sh
# Run once by the postgres image at initdb: lets the replica (compose service postgres-replica) stream WAL
# as the platform role, with a password (scram-sha-256) from the compose network only.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "ALTER ROLE $POSTGRES_USER REPLICATION"
echo "host replication $POSTGRES_USER all scram-sha-256" >> "$PGDATA/pg_hba.conf"
