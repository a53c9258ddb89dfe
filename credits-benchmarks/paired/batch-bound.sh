#!/usr/bin/env bash
# The most any group commit can gain on this machine, measured with pgbench (a C client that costs
# the server almost nothing) on a running durable PostgreSQL.
#
# It runs the competent baseline's writes (CompetentSql: per call, one WITH that updates the account
# under its guard and inserts the hold, ledger and idempotency rows) in two shapes, taking turns:
#   per call - N clients, each call one statement in auto-commit (the baseline);
#   ideal    - the same N calls in flight as ONE set-based statement per batch (a hold batch, then a
#              settle batch), as if every call of N threads always met every other in one commit,
#              with no cost for forming the batch.
# A store that keeps the baseline's guarantees writes at least these rows, so ideal/per-call bounds
# what group commit can reach at N threads, here, whatever the client.
#
# Usage: batch-bound.sh PORT [THREADS ...]     (default threads: 4 16; needs a database "bound")
#   ROUNDS (default 3) turns per shape, SECONDS_EACH (default 12) seconds each.
set -euo pipefail
port=${1:?port of a running PostgreSQL}
shift
threads=("$@")
[[ $# -eq 0 ]] && threads=(4 16)
rounds=${ROUNDS:-3}
seconds=${SECONDS_EACH:-12}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
psql=("$bin/psql" -q -X -h 127.0.0.1 -p "$port" -U postgres -d bound -v ON_ERROR_STOP=1)

"${psql[@]}" <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS base_accounts, base_holds, base_ledger, base_idempotency;
CREATE TABLE base_accounts (id VARCHAR(128) PRIMARY KEY, available BIGINT NOT NULL, held BIGINT NOT NULL,
  settled BIGINT NOT NULL, last_sequence BIGINT NOT NULL);
CREATE TABLE base_holds (account VARCHAR(128) NOT NULL, hold_id VARCHAR(66) NOT NULL, amount BIGINT NOT NULL,
  state TEXT NOT NULL, settled BIGINT NOT NULL, created_at TIMESTAMPTZ NOT NULL, deadline TIMESTAMPTZ NOT NULL,
  ended_at TIMESTAMPTZ, PRIMARY KEY (account, hold_id));
CREATE TABLE base_ledger (account VARCHAR(128) NOT NULL, sequence BIGINT NOT NULL, type TEXT NOT NULL,
  amount BIGINT NOT NULL, hold_id VARCHAR(66), idem_key VARCHAR(200), at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (account, sequence));
CREATE TABLE base_idempotency (account VARCHAR(128) NOT NULL, idem_key VARCHAR(200) NOT NULL,
  operation TEXT NOT NULL, result TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, PRIMARY KEY (account, idem_key));
INSERT INTO base_accounts SELECT 'acct-' || g, 1000000000000, 0, 0, 0 FROM generate_series(0, 4095) g;
ANALYZE;
SQL

# The per-call shape: CompetentSql's hold and settle, with the client's own account.
acc="'acct-' || :client_id"
cat > "$work/call.sql" <<SQL
\set r random(1, 9000000000000000000)
WITH u AS (UPDATE base_accounts SET available = available - 7, held = held + 7, last_sequence = last_sequence + 1 WHERE id = $acc AND available >= 7 RETURNING last_sequence), h AS (INSERT INTO base_holds (account, hold_id, amount, state, settled, created_at, deadline, ended_at) SELECT $acc, 'hold-' || :r, 7, 'ACTIVE', 0, now(), now() + interval '10 minutes', NULL FROM u), l AS (INSERT INTO base_ledger (account, sequence, type, amount, hold_id, idem_key, at) SELECT $acc, u.last_sequence, 'HOLD', 7, 'hold-' || :r, 'hkey-' || :r, now() FROM u) INSERT INTO base_idempotency (account, idem_key, operation, result, at) SELECT $acc, 'hkey-' || :r, 'hold', 'hold-' || :r, now() FROM u RETURNING result;
WITH h AS (UPDATE base_holds SET state = 'SETTLED', settled = amount, ended_at = now() WHERE account = $acc AND hold_id = 'hold-' || :r AND state = 'ACTIVE' RETURNING amount), u AS (UPDATE base_accounts a SET held = a.held - h.amount, settled = a.settled + h.amount, last_sequence = a.last_sequence + 1 FROM h WHERE a.id = $acc RETURNING a.last_sequence, h.amount), l AS (INSERT INTO base_ledger (account, sequence, type, amount, hold_id, idem_key, at) SELECT $acc, u.last_sequence, 'SETTLE', u.amount, 'hold-' || :r, 'skey-' || :r, now() FROM u) INSERT INTO base_idempotency (account, idem_key, operation, result, at) SELECT $acc, 'skey-' || :r, 'settle', u.amount::text, now() FROM u RETURNING result;
SQL

# The ideal shape: N calls on N accounts as one statement per batch.
ideal() {
  local n=$1
  local input="WITH input AS (SELECT 'acct-' || g AS acc, 'hold-' || :r || '-' || g AS hid, 'key-' || :r || '-' || g AS k FROM generate_series(0, $((n - 1))) g),"
  cat <<SQL
\set r random(1, 9000000000000000000)
$input u AS (UPDATE base_accounts a SET available = available - 7, held = held + 7, last_sequence = last_sequence + 1 FROM input i WHERE a.id = i.acc AND a.available >= 7 RETURNING a.id, a.last_sequence), h AS (INSERT INTO base_holds SELECT u.id, i.hid, 7, 'ACTIVE', 0, now(), now() + interval '10 minutes', NULL FROM u JOIN input i ON i.acc = u.id), l AS (INSERT INTO base_ledger SELECT u.id, u.last_sequence, 'HOLD', 7, i.hid, 'h' || i.k, now() FROM u JOIN input i ON i.acc = u.id) INSERT INTO base_idempotency SELECT u.id, 'h' || i.k, 'hold', i.hid, now() FROM u JOIN input i ON i.acc = u.id;
$input h AS (UPDATE base_holds s SET state = 'SETTLED', settled = amount, ended_at = now() FROM input i WHERE s.account = i.acc AND s.hold_id = i.hid AND s.state = 'ACTIVE' RETURNING s.account, s.amount), u AS (UPDATE base_accounts a SET held = a.held - h.amount, settled = a.settled + h.amount, last_sequence = a.last_sequence + 1 FROM h WHERE a.id = h.account RETURNING a.id, a.last_sequence, h.amount), l AS (INSERT INTO base_ledger SELECT u.id, u.last_sequence, 'SETTLE', u.amount, i.hid, 's' || i.k, now() FROM u JOIN input i ON i.acc = u.id) INSERT INTO base_idempotency SELECT u.id, 's' || i.k, 'settle', u.amount::text, now() FROM u JOIN input i ON i.acc = u.id;
SQL
}

tps() { # clients script -> transactions (script runs) per second
  "$bin/pgbench" -n -M prepared -h 127.0.0.1 -p "$port" -U postgres -T "$seconds" -c "$1" -j "$(( $1 < 2 ? 1 : 2 ))" \
    -f "$2" bound 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}

echo "threads round per-call-pairs/s ideal-pairs/s ideal/per-call load"
for n in "${threads[@]}"; do
  ideal "$n" > "$work/ideal$n.sql"
  for ((r = 1; r <= rounds; r++)); do
    call=$(tps "$n" "$work/call.sql")
    batch=$(tps 1 "$work/ideal$n.sql")
    awk -v n="$n" -v r="$r" -v c="$call" -v b="$batch" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
      'BEGIN { printf "%d %d %.0f %.0f %.2f %s\n", n, r, c, b * n, b * n / c, load }'
  done
done
