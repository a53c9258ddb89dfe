#!/usr/bin/env bash
# Builds the benchmarks and runs the whole suite: every library benchmark with its hand-written
# baseline in the same JMH run (in memory, PostgreSQL at 1/4/16 threads, H2, cost growth).
# About 7 minutes on a 2-core machine. Writes the JMH JSON of each group, summary.json and
# table.md to the results folder, and rewrites BENCHMARKS.md at the repository root.
#
# Usage: credits-benchmarks/run-benchmarks.sh [results-dir] [group-id ...]
#   results-dir defaults to credits-benchmarks/results/<UTC time stamp>; group ids (see
#   BenchmarkSuite.groups) run a subset, and then BENCHMARKS.md is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-$root/credits-benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)}
shift || true

# The PostgreSQL benchmarks start their own throw-away server from the local binaries, as the
# adapter's tests do; install them on a fresh machine that lacks them.
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
{
  cat <<HEADER
# Benchmarks

The latest full run of \`credits-benchmarks/run-benchmarks.sh\`. Every library figure has its
baseline measured in the same JMH run, on the same machine and (for SQL) the same server:

- **In memory**: \`CreditService\` over the testkit's \`InMemoryCreditStore\` against the simplest
  ledger a developer would write instead (\`HandWrittenLedger\`: one lock, a map of balances, a map
  of open holds, a list of entries). One operation is one hold+settle pair (or one authorize+succeeded
  through the \`GenerationGate\`, or one balance view); allocation is JMH's \`-prof gc\`
  \`gc.alloc.rate.norm\`, bytes per operation. These forks, and the growth forks, run with
  \`-Xms4g -Xmx4g -XX:+AlwaysPreTouch\` (the heap is faulted in before the run: iterations that
  first touched fresh pages ran at half speed); these warm up for 6 iterations.
- **JDK**: the suite runs on the newest JDK installed (\`BENCH_JAVA\` picks another), with its
  default collector (G1) and no other tuning. The library is compiled for Java 17, so when the
  default \`java\` is another JDK the in-memory pair is measured on it as well (the row "on the
  reference JDK", with its own line under the targets).
- **PostgreSQL**: \`JdbcCreditStore\` against the minimal hand-written SQL for the same pair
  (\`JdbcPairBenchmarks.HandWrittenSql\`: hold = conditional \`UPDATE\` of the balance, \`INSERT\` hold,
  \`INSERT\` ledger row; settle = \`UPDATE\` hold, \`UPDATE\` balance, \`INSERT\` ledger row; prepared
  statements, one transaction each), on the throw-away server the adapter's tests start
  (\`fsync=off\`, \`synchronous_commit=off\`), both through one fixed pool of connections; each
  thread works on its own account.
- **H2**: the same on embedded in-memory H2, the adapter's embedded default.
- **Cost growth**: the library's pair on an account that already has about 10, 10^4 or 10^6 ledger
  entries (settled holds with their entries and idempotency records), or 100 active holds.

Scores are JMH throughput (ops/s, ± the 99.9% confidence half-width over the iterations). Ratios
above 1 favour the library; the cost ratio in the growth table is the 10-entry account's
throughput divided by the row's (1.00× = flat).

## Latest results

- Date: $(date -u +"%Y-%m-%d %H:%M UTC"), commit \`$commit\`$dirty, total run time ${elapsed}s
- Machine: $(nproc) cores${cpu:+ ($cpu)}, ${mem:-unknown memory}; PostgreSQL $pg_version
- JDK of the run: $java_version (\`$bench_java\`)
- Reference JDK (the default \`java\`, for the rows marked so): $reference_version
- Results: JMH JSON per group, \`summary.json\` and \`table.md\` in \`${out#$root/}\` (not committed)

HEADER
  cat "$out/table.md"
  cat <<'FOOTER'

## How to reproduce

On a machine with JDK 17+ (and, optionally, a newer JDK under `/usr/lib/jvm`), Maven 3.8+ and
the PostgreSQL server binaries (`apt-get install -y postgresql`; the script installs them when
missing), from the repository root:

```sh
credits-benchmarks/run-benchmarks.sh
```

It builds the module (`mvn -B -q -pl credits-benchmarks -am -DskipTests package`, which produces
`credits-benchmarks/target/benchmarks.jar`), runs `io.preprompt.credits.benchmarks.BenchmarkSuite`
(one forked JVM per benchmark and parameter set; warm-up and measurement iterations as annotated on
each benchmark class), writes the results folder and rewrites this file. Run it on a quiet machine:
anything else using the cores shows up in the error bars. A subset:
`credits-benchmarks/run-benchmarks.sh /tmp/results postgresql-pair-16t growth-postgresql`.
Ad-hoc JMH runs use the same jar, e.g.
`java -jar credits-benchmarks/target/benchmarks.jar 'InMemoryBenchmarks.pair$' -prof gc`.

CI (`mvn -B verify`) does not measure: it compiles the benchmarks and `BenchmarkSmokeTest` runs each
benchmark once (no fork, no warm-up, one 200 ms iteration, short histories only).
FOOTER
} > "$root/BENCHMARKS.md"
echo "Done in ${elapsed}s: results in $out, table in BENCHMARKS.md"
