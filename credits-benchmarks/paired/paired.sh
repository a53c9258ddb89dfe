#!/bin/bash
# Paired slices: several builds' hold+settle pairs in one JVM against one running PostgreSQL,
# alternating one-second slices; prints pairs/s ratios and each build's backend CPU per pair.
# usage: paired.sh PORT THREADS SLICES NAME=BENCHMARKS_JAR [NAME=BENCHMARKS_JAR ...]
#   the first build is the baseline; each gets a fresh database ab_NAME on 127.0.0.1:PORT (user postgres).
# env: WARM_MS (default 8000), SLICE_MS (default 1000), JAVA_OPTS.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
here=$(cd "$(dirname "$0")" && pwd)
port=$1; threads=$2; slices=$3; shift 3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
P="psql -h 127.0.0.1 -p $port -U postgres -qAt"
names=()
for spec in "$@"; do
  name=${spec%%=*}; jar=${spec#*=}; names+=("$name")
  cp "$jar" "$work/bench-$name.jar"
  mkdir -p "$work/slice-$name"
  if ! javac -nowarn -d "$work/slice-$name" -cp "$jar" "$here/Slice.java" 2>/dev/null; then
    # Builds before issue 16 keep the value types in io.preprompt.credits.
    mkdir -p "$work/old"; sed 's/io\.preprompt\.credits\.core\./io.preprompt.credits./' "$here/Slice.java" > "$work/old/Slice.java"
    javac -nowarn -d "$work/slice-$name" -cp "$jar" "$work/old/Slice.java"
  fi
  $P -c "DROP DATABASE IF EXISTS ab_$name" -c "CREATE DATABASE ab_$name" >/dev/null
done
javac -d "$work" "$here/PairedSlices.java"
hz=$(getconf CLK_TCK)
cpu() { # CPU ticks of the backends connected to ab_$1
  local s=0 p a
  for p in $($P -c "SELECT pid FROM pg_stat_activity WHERE datname = 'ab_$1'"); do
    a=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    set -- $a; s=$((s + ${12} + ${13}))
  done
  echo $s
}
out="$work/out"
java -Xms2g -Xmx2g ${JAVA_OPTS:-} -Dwarm="${WARM_MS:-8000}" -Ddir="$work" -cp "$work" PairedSlices \
  "$threads" "$slices" "${SLICE_MS:-1000}" "jdbc:postgresql://127.0.0.1:$port/" "${names[@]}" > "$out" 2>&1 &
jp=$!
declare -A c0 c1
until grep -q '^start' "$out" || ! kill -0 $jp 2>/dev/null; do sleep 0.2; done
sleep 0.3; for n in "${names[@]}"; do c0[$n]=$(cpu "$n"); done
until grep -q '^total' "$out" || ! kill -0 $jp 2>/dev/null; do sleep 0.2; done
sleep 0.5; for n in "${names[@]}"; do c1[$n]=$(cpu "$n"); done
wait $jp || { cat "$out"; exit 1; }
grep '^threads' "$out"
line="  backend CPU us/pair (measured slices):"
for n in "${names[@]}"; do
  p0=$(awk -v n="$n" '$1=="start" && $2==n {print $3}' "$out"); p1=$(awk -v n="$n" '$1=="total" && $2==n {print $3}' "$out")
  line="$line $n=$(( (c1[$n] - c0[$n]) * 1000000 / hz / (p1 - p0) ))"
done
echo "$line"
for n in "${names[@]}"; do $P -c "DROP DATABASE IF EXISTS ab_$n" >/dev/null; done
