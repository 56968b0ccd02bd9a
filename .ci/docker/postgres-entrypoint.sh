#!/bin/sh
# Entrypoint of the Postgres image that .ci/docker-images builds from Debian's
# packages. It follows the official image's conventions, which clients such
# as testcontainers' postgres module rely on:
#   - POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
#     POSTGRES_USER (default postgres), POSTGRES_DB (default: the user),
#     POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD;
#   - arguments that start with `-` are options for `postgres`;
#   - on first start, initdb, then a temporary server on the socket only
#     (its log, with "database system is ready to accept connections", goes
#     to stdout through pg_ctl), then the real server, whose log goes to
#     stderr: the ready line appears once on each stream.
set -eu

case "${1:-}" in
-*) set -- postgres "$@" ;;
esac

if [ "${1:-}" != postgres ]; then
	exec "$@"
fi
shift

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
		echo "error: the database is uninitialized and POSTGRES_PASSWORD is not set" >&2
		echo "  set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password" >&2
		exit 1
	fi
	user="${POSTGRES_USER:-postgres}"
	database="${POSTGRES_DB:-$user}"
	auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

	mkdir -p "$PGDATA"
	chmod 700 "$PGDATA"
	pwfile="$(mktemp)"
	printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
	# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options
	initdb --username="$user" --pwfile="$pwfile" ${POSTGRES_INITDB_ARGS:-}
	rm -f "$pwfile"
	printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
	printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
	if [ "$database" != postgres ]; then
		psql -v ON_ERROR_STOP=1 --username "$user" --no-password --dbname postgres \
			--set db="$database" <<-'SQL'
			CREATE DATABASE :"db";
		SQL
	fi
	for file in /docker-entrypoint-initdb.d/*; do
		case "$file" in
		*.sh) echo "running $file" && . "$file" ;;
		*.sql) echo "running $file" && psql -v ON_ERROR_STOP=1 --username "$user" --no-password --dbname "$database" -f "$file" ;;
		*) ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo "PostgreSQL init process complete; ready for start up."
fi

exec postgres "$@"
