#!/bin/sh
# Entrypoint of the Redis image that .ci/docker-images builds from Debian's
# packages, following the official image: arguments that start with `-` or
# name a `.conf` file are options for `redis-server`, and protected mode is
# off by default (the official image compiles it so), because clients reach
# the server through Docker's port mapping, not over loopback. The log, with
# "Ready to accept connections", goes to stdout.
set -eu

case "${1:-}" in
-* | *.conf) set -- redis-server "$@" ;;
esac

if [ "${1:-}" = redis-server ]; then
	shift
	exec redis-server --protected-mode no "$@"
fi
exec "$@"
