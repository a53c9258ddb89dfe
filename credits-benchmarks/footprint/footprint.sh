#!/usr/bin/env bash
# Rows, bytes on disk and WAL that one generation (the gate's authorize, then succeeded) leaves in the
# JDBC store's tables, for docs/SCALING.md. It recreates the database "footprint" on a running
# PostgreSQL, opens ACCOUNTS accounts (a pack grant and the signup grant each), then runs PAIRS
# generations round-robin and reports the growth after CHECKPOINT and VACUUM. Throughput printed
# here is one thread and means nothing: the benchmarks measure speed.
#
# Usage: footprint.sh PORT [ACCOUNTS] [PAIRS]   (after `mvn -B -q install -DskipTests` or a build)
set -euo pipefail
port=${1:?port of a running PostgreSQL}
accounts=${2:-1000}
pairs=${3:-20000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
"$bin/psql" -q -X -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'DROP DATABASE IF EXISTS footprint' \
  -c 'CREATE DATABASE footprint'
m2=${M2_REPO:-$HOME/.m2/repository}
jar() { ls "$m2"/$1 | sort -V | tail -1; }
cp="$(jar 'org/postgresql/postgresql/*/postgresql-*.jar'):$(jar 'org/jspecify/jspecify/*/jspecify-*.jar')"
cp="$cp:$(jar 'org/slf4j/slf4j-api/*/slf4j-api-*.jar'):$root/credits-core/target/classes"
cp="$cp:$root/credits-jdbc-adapter/target/classes"
exec java -cp "$cp" "$here/Footprint.java" "$port" "$accounts" "$pairs"
