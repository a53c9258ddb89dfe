#!/usr/bin/env bash
# Builds the benchmarks and runs the whole suite: every library benchmark with its baseline in the
# same JMH run (in memory; PostgreSQL at 1/4/16 threads; cost growth). PostgreSQL is measured
# honestly (issue 18): the suite starts one server with production durability (fsync,
# synchronous_commit, full_page_writes on) for every fork, plus a no-durability server for a second,
# labelled row; the baseline is the competent hand-written SQL (one data-modifying WITH statement
# per call, same guards, same tables' keys, same pool); library and baseline alternate in 250 ms
# blocks inside one JMH run, and the figure is the median ratio over the iterations with its
# spread; pgbench's one-row-update ceiling on the same server runs before and after each group.
# About 12 minutes on a 2-core machine. Writes the JMH JSON of each group, summary.json and table.md
# to the results folder, and rewrites the part of BENCHMARKS.md between the markers
# <!-- suite:begin --> and <!-- suite:end --> (the hand-written sections around it stay).
#
# Usage: credits-benchmarks/run-benchmarks.sh [results-dir] [group-id ...]
#   results-dir defaults to credits-benchmarks/results/<UTC time stamp>; group ids (see
#   BenchmarkSuite.groups) run a subset, and then BENCHMARKS.md is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-$root/credits-benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)}
shift || true

# The suite starts its PostgreSQL servers from the local binaries, as the adapter's tests do, and
# runs their pgbench; install them on a fresh machine that lacks them.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "PostgreSQL binaries missing: installing the postgresql package" >&2
  apt-get update -q && apt-get install -y -q postgresql
fi

# The JDK the suite runs on: $BENCH_JAVA, else the newest JDK under /usr/lib/jvm (Temurin 25 on the
# project's machine), else the default java. The library targets Java 17 and hosts run it on newer
# JDKs too; when the suite runs on another JDK than the default java, the in-memory pair is also
# measured on the default one (group memory-pair-1t-reference-jdk), so both figures are reported.
spec_version() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | sed 's/^1\.//'
}
bench_java=${BENCH_JAVA:-}
if [ -z "$bench_java" ]; then
  best=0
  for candidate in /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] || continue
    v=$(spec_version "$candidate")
    if [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -gt "$best" ]; then
      best=$v
      bench_java=$candidate
    fi
  done
  bench_java=${bench_java:-java}
fi
reference_java=$(command -v java)
bench_args=()
if [ "$(readlink -f "$(command -v "$bench_java")")" != "$(readlink -f "$reference_java")" ]; then
  bench_args+=("-Dbenchmarks.referenceJvm=$reference_java")
fi
if [ "$(spec_version "$bench_java")" -ge 23 ]; then
  # JMH 1.37 reads field offsets through sun.misc.Unsafe, which JDK 23+ warns about.
  bench_args+=("--sun-misc-unsafe-memory-access=allow")
fi

start=$(date +%s)
# Build only what the benchmarks need; the tests are compiled (the adapter's test jar holds the
# PostgreSQL launcher) but not run here: `mvn -B verify` runs them, with the benchmarks' smoke test.
mvn -B -q -pl credits-benchmarks -am -DskipTests package
"$bench_java" "${bench_args[@]}" -cp credits-benchmarks/target/benchmarks.jar \
  io.preprompt.credits.benchmarks.BenchmarkSuite "$out" "$@"
elapsed=$(( $(date +%s) - start ))

if [ "$#" -gt 0 ]; then
  echo "Ran groups $* in ${elapsed}s; results in $out (BENCHMARKS.md unchanged)"
  exit 0
fi

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
mem=$(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GB"}')
java_version=$("$bench_java" -version 2>&1 | head -1)
reference_version=$("$reference_java" -version 2>&1 | head -1)
pg_version=$(ls -d /usr/lib/postgresql/*/ | xargs -n1 basename | sort -n | tail -1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git diff --quiet HEAD 2>/dev/null && echo "" || echo " (with uncommitted changes)")
begin='<!-- suite:begin -->'
end='<!-- suite:end -->'
# The markers are whole lines of their own (the prose may name them).
if ! grep -qxF "$begin" "$root/BENCHMARKS.md" || ! grep -qxF "$end" "$root/BENCHMARKS.md"; then
  echo "BENCHMARKS.md lacks the $begin / $end markers: results in $out, BENCHMARKS.md unchanged" >&2
  exit 1
fi
section="$out/section.md"
{
  cat <<HEADER
The latest full run of \`credits-benchmarks/run-benchmarks.sh\` (this part of the file is written by
it). Every library figure has its baseline measured in the same JMH run, on the same machine and
(for SQL) the same server:

- **PostgreSQL** (issue 18's method): \`JdbcCreditStore\` with its default configuration against the
  competent hand-written SQL (\`CompetentSql\`: each call ONE statement in auto-commit,
  \`WITH u AS (UPDATE accounts ... WHERE available >= amount RETURNING ...), h AS (INSERT hold),
  l AS (INSERT ledger row) INSERT idempotency row\`; a settle is guarded on the hold being open; a
  key used again replays the stored result), tables with the adapter's primary keys, no foreign keys
  or other indexes, both through one fixed pool of 20 connections; each thread works on its own
  account. The server runs with production durability (\`fsync\`, \`synchronous_commit\`,
  \`full_page_writes\` on, otherwise defaults) and is started once by the suite for all forks; the
  "no durability" rows use a second server with all three off. Library and baseline alternate in
  250 ms blocks inside one JMH run (all threads switch together), 2 × 2 s warm-up and 10 × 2 s
  measured iterations; each iteration gives both sides' pairs/s (while that side ran) and their
  ratio: the figure is the median ratio, the spread its quartiles and range. Hold latency is each
  side's hold call alone, over all measured iterations. The ceiling is \`pgbench -M prepared\`,
  each client updating its own row of a small table, as many clients as threads, 3 s before and 3 s
  after the group on the same server; a pair commits twice, so its ceiling in pairs/s is half the tps.
- **In memory**: \`CreditService\` over the testkit's \`InMemoryCreditStore\` against the simplest
  ledger a developer would write instead (\`HandWrittenLedger\`: one lock, a map of balances, a map
  of open holds, a list of entries). One operation is one hold+settle pair (or one authorize+succeeded
  through the \`GenerationGate\`, or one balance view); allocation is JMH's \`-prof gc\`
  \`gc.alloc.rate.norm\`, bytes per operation. These forks, and the growth forks, run with
  \`-Xms4g -Xmx4g -XX:+AlwaysPreTouch\`; these warm up for 6 iterations.
- **JDK**: the suite runs on the newest JDK installed (\`BENCH_JAVA\` picks another), with its
  default collector (G1) and no other tuning. When the default \`java\` is another JDK the in-memory
  pair is measured on it as well (the row "on the reference JDK").
- **Cost growth** (one thread, the durable server for PostgreSQL): the library's pair on an account
  that already has about 10, 10^4 or 10^6 ledger entries (settled holds with their entries and
  idempotency records), or 1,000 active holds; and on one account among 10^3 or 10^6 accounts in
  one database (copies of an account the engine opened and granted). The cost is the small case's
  throughput divided by the grown one's (1.00× = flat).
- **Machine load**: \`/proc/loadavg\` and \`/proc/stat\` sampled at each group's start and end.

## Latest results

- Date: $(date -u +"%Y-%m-%d %H:%M UTC"), commit \`$commit\`$dirty, total run time ${elapsed}s
- Machine: $(nproc) cores${cpu:+ ($cpu)}, ${mem:-unknown memory}; PostgreSQL $pg_version
- JDK of the run: $java_version (\`$bench_java\`)
- Reference JDK (the default \`java\`, for the rows marked so): $reference_version
- Results: JMH JSON per group, \`summary.json\` and \`table.md\` in \`${out#$root/}\` (not committed)

HEADER
  cat "$out/table.md"
} > "$section"
awk -v section="$section" -v begin="$begin" -v end="$end" '
  $0 == begin { print; while ((getline line < section) > 0) print line; skipping = 1; next }
  $0 == end { skipping = 0 }
  !skipping { print }
' "$root/BENCHMARKS.md" > "$out/BENCHMARKS.md.new"
mv "$out/BENCHMARKS.md.new" "$root/BENCHMARKS.md"
echo "Done in ${elapsed}s: results in $out, the suite's part of BENCHMARKS.md rewritten"
