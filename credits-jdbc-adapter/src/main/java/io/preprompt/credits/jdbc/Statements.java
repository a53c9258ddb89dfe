package io.preprompt.credits.jdbc;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The store's SQL, built once per configuration. Only validated identifiers (schema and prefix, see
 * {@link JdbcStoreConfig}) and row counts are part of the text; every value is a bind parameter.
 */
final class Statements {
  /**
   * Parameters: id, version, last_sequence, granted, settled, expired, debited, active_holds,
   * created_at, plan_due_at, then the {@link #PLAN_COLUMNS}, then debt, overage_mode, overage_max_debt.
   */
  final String insertAccount;
  /**
   * Parameters: version, last_sequence, granted, settled, expired, debited, active_holds,
   * plan_due_at, debt, overage_mode, overage_max_debt, the {@link #PLAN_COLUMNS}, then the guard: id,
   * expected version, the last sequence before the change's entries.
   */
  final String updateAccount;
  /**
   * {@link #updateAccount} without the {@link #PLAN_COLUMNS}, for a change that leaves the plan as
   * stored (nearly every call): parameters version to plan_due_at, then the guard.
   */
  final String updateCounters;
  /** The plan's columns, in the order their parameters are bound. */
  static final List<String> PLAN_COLUMNS = List.of("plan_tier", "plan_status", "plan_signup_granted", "plan_anchor",
      "plan_paid_cycle", "plan_cycle_start_sequence", "plan_allowance_total", "plan_pending_tier", "plan_pending_at",
      "plan_cancel_at", "plan_subscription", "plan_requests", "plan_charges", "plan_orders", "plan_renewal_failures",
      "plan_renewal_retry_at", "plan_top_up_pack", "plan_top_up_threshold", "plan_top_up_cap_minor",
      "plan_top_up_armed", "plan_top_up_month", "plan_top_up_spent_minor", "plan_top_up_reference",
      "plan_top_up_send_at", "plan_top_up_attempts", "plan_top_up_skipped_at");
  /** How a JSON parameter is written: {@code CAST(? AS JSONB)} on PostgreSQL, {@code ? FORMAT JSON} on H2. */
  final String json;
  /** One row of {@link #lotValues}, {@link #holdValues}, {@link #ledgerValues} and {@link #endHolds}. */
  final String lotRow;
  final String holdRow;
  final String ledgerRow;
  private final String endedHoldRow;
  private final String changedLotRow;
  final String selectAccountState;
  /** One lot, parameters as {@link #lotValues}. */
  final String insertLot;
  /**
   * One live lot replaced: the parameters of {@code Lot} in the order source, granted, remaining,
   * reserved, granted_at, expires_at, lot_id, then the account.
   */
  final String updateLot;
  /** One spent lot removed while it was live: the account, the lot_id. */
  final String deleteLot;
  /** One hold, parameters as {@link #holdValues}. */
  final String insertHold;
  /**
   * One active hold ended: amount, state, created_at, deadline, settled, ended_at, metadata,
   * allocations, hold_id, then the account.
   */
  final String endHold;
  /**
   * One active hold grown by an extension: amount, deadline, allocations, hold_id, then the account.
   */
  final String growHold;
  final String insertLedger;
  final String insertIdempotency;
  final String findIdempotency;
  final String findHold;
  final String holdsPastDeadline;
  final String lotsExpired;
  final String lotsExpiredAfter;
  final String accountsWithPlanDue;
  /** Deletes the probe rows of {@code probeIdComparison}, one statement per table. */
  final String deleteProbeAccount;
  final String deleteProbeLots;
  final String deleteProbeHolds;
  final String deleteProbeLedger;
  final String deleteProbeIdempotency;
  /**
   * Names each id column that finds a probe row under its id in another case: one row per column
   * that compares case-insensitively (or otherwise not exactly). Parameters: the account id in
   * another case (five times, once per table), then the exact account id with the hold id in
   * another case, then the exact account id with the key in another case.
   */
  final String probeIdComparison;
  /** Whether commits may send their statements in one round trip (PostgreSQL's driver pipelines them). */
  final boolean pipelineCommits;
  /**
   * The commit of a batch of changes on PostgreSQL ({@link GroupCommit}), null on H2: two statements
   * whose parameters are JSON arrays of rows, one per kind of row, with the columns of
   * {@link GroupCommit#COLUMNS}. First the accounts' row locks in the order of their ids (the
   * accounts' rows); then one {@code WITH}: the accounts' guarded updates, and every other row of
   * the changes whose account matched; it returns those accounts' ids, and divides by zero when a
   * guarded row of theirs (a changed or spent lot, an ended hold) did not match.
   */
  final @Nullable String groupCommit;
  final String lotValues;
  final String holdValues;
  final String ledgerValues;
  final String idempotencyValues;

  private final boolean pg;
  private final String lots;
  private final String holds;
  private final String ledgerSelect;
  private final String readIdempotency;
  private final String readAccount;
  private final String readLots;
  private final String readNamedHolds;
  private final String readOverdueHolds;
  private final String readEarliestDeadline;
  /** {@link #read} for up to {@link #CACHED_NAMED} named holds, unkeyed then keyed. */
  private final String[][] reads;
  private static final int CACHED_NAMED = 2;

  Statements(JdbcStoreConfig config) {
    String accounts = config.table("accounts");
    lots = config.table("lots");
    holds = config.table("holds");
    String ledger = config.table("ledger");
    String idempotency = config.table("idempotency");
    pg = config.dialect() == JdbcStoreConfig.Dialect.POSTGRESQL;
    String text = pg ? "TEXT" : "VARCHAR";
    pipelineCommits = pg;
    json = pg ? "CAST(? AS JSONB)" : "? FORMAT JSON";
    // Typed, so that a NULL instant in a VALUES list is not taken for text.
    String ts = "CAST(? AS TIMESTAMP WITH TIME ZONE)";
    StringBuilder planNames = new StringBuilder();
    StringBuilder planParameters = new StringBuilder();
    StringBuilder planSets = new StringBuilder();
    for (String column : PLAN_COLUMNS) {
      String parameter = column.equals("plan_charges") || column.equals("plan_orders") ? json : "?";
      planNames.append(", ").append(column);
      planParameters.append(", ").append(parameter);
      planSets.append(", ").append(column).append(" = ").append(parameter);
    }

    insertAccount = "INSERT INTO " + accounts + " (id, version, last_sequence, granted, settled, expired, debited,"
        + " active_holds, created_at, plan_due_at" + planNames + ", debt, overage_mode, overage_max_debt)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?" + planParameters + ", ?, ?, ?)";
    // The guard on version makes the write safe under READ COMMITTED: a concurrent commit that got
    // there first leaves 0 rows to update, and the row written is the stored one plus the change.
    // The update also takes the account's row lock before any other row of the account is written,
    // so the account's commits serialize. The guard on last_sequence catches a change whose ledger
    // entries do not continue the stored ledger.
    String counters = "UPDATE " + accounts
        + " SET version = ?, last_sequence = ?, granted = ?, settled = ?, expired = ?, debited = ?, active_holds = ?,"
        + " plan_due_at = ?, debt = ?, overage_mode = ?, overage_max_debt = ?";
    String guard = " WHERE id = ? AND version = ? AND last_sequence = ?";
    updateAccount = counters + planSets + guard;
    updateCounters = counters + guard;
    // Every read by id also returns the id the row holds: the store checks it is exactly the one
    // asked for (see JdbcCreditStore#requireExact), whatever the columns' collation.
    selectAccountState = "SELECT version, last_sequence, id FROM " + accounts + " WHERE id = ?";
    lotValues = "INSERT INTO " + lots
        + " (account, lot_id, source, granted, remaining, reserved, granted_at, expires_at) VALUES ";
    lotRow = "(?, ?, ?, ?, ?, ?, " + ts + ", " + ts + ")";
    insertLot = lotValues + lotRow;
    // Only a live lot changes (core never sees the others), and only in what it holds and when it
    // expires: its source, grant and grant time are fixed when it is made.
    updateLot = "UPDATE " + lots + " SET remaining = ?, reserved = ?, expires_at = " + ts
        + " WHERE lot_id = ? AND account = ? AND (remaining > 0 OR reserved > 0)";
    deleteLot = "DELETE FROM " + lots + " WHERE account = ? AND lot_id = ? AND (remaining > 0 OR reserved > 0)";
    holdValues = "INSERT INTO " + holds
        + " (account, hold_id, amount, state, created_at, deadline, settled, ended_at, metadata, allocations) VALUES ";
    holdRow = "(?, ?, ?, ?, " + ts + ", " + ts + ", ?, " + ts + ", " + json + ", " + json + ")";
    insertHold = holdValues + holdRow;
    // Only an active hold ends (a hold another call ended first matches no row), and only its
    // state, settled amount and end time change: the rest is fixed when it is placed.
    endHold = "UPDATE " + holds + " SET state = ?, settled = ?, ended_at = " + ts
        + " WHERE hold_id = ? AND account = ? AND ended_at IS NULL";
    // An extension grows an active hold: its amount, its allocations and maybe its deadline.
    growHold = "UPDATE " + holds + " SET amount = ?, deadline = " + ts + ", allocations = " + json
        + " WHERE hold_id = ? AND account = ? AND ended_at IS NULL";
    endedHoldRow = "(?, ?, " + ts + ", ?)";
    changedLotRow = "(?, ?, " + ts + ", ?)";
    ledgerValues = "INSERT INTO " + ledger
        + " (account, sequence, type, amount, lot_id, source, hold_id, idem_key, at, metadata, kind, model) VALUES ";
    ledgerRow = "(?, ?, ?, ?, ?, ?, ?, ?, " + ts + ", " + json + ", ?, ?)";
    insertLedger = ledgerValues + ledgerRow;
    idempotencyValues = "INSERT INTO " + idempotency + " (account, idem_key, operation, fingerprint, result, at) VALUES ";
    insertIdempotency = idempotencyValues + "(?, ?, ?, ?, ?, ?)";

    groupCommit = pg ? groupCommit(accounts, ledger, idempotency) : null;

    // Reading an account is one statement: the branches below as typed rows of one UNION ALL, so a
    // call starts with one round trip and sees one snapshot. Columns: kind, a (the account id the
    // row holds), k (its hold id or key), n1..n14 numbers, t1..t6 instants, s1..s5 texts (JSON as
    // text); see the column constants of JdbcCreditStore.
    String n = "CAST(NULL AS BIGINT)";
    String t = "CAST(NULL AS TIMESTAMP WITH TIME ZONE)";
    String s = "CAST(NULL AS " + text + ")";
    String k = "CAST(NULL AS VARCHAR(200))";
    // The automatic top-up's columns (V4) follow every branch's s5, as u1..u10: five numbers, three
    // instants, two texts; then the debt and the overage policy (V3) as u11..u13: two numbers, a
    // text. Only the account's row has them.
    String u = ", " + repeat(n, 5) + ", " + repeat(t, 3) + ", " + repeat(s, 2) + ", " + repeat(n, 2) + ", " + s;
    // kind 1: the idempotency record of a keyed call. Parameters: account, key.
    readIdempotency = "SELECT 1 AS kind, account AS a, idem_key AS k, " + numbered("n", n, 1, 14) + ", at AS t1, "
        + numbered("t", t, 2, 6) + ", CAST(operation AS " + text + ") AS s1, CAST(fingerprint AS "
        + text + ") AS s2, CAST(result AS " + text + ") AS s3, " + s + " AS s4, " + s + " AS s5" + u + " FROM " + idempotency
        + " WHERE account = ? AND idem_key = ?";
    // kind 0: the account row and its plan. Parameter: id.
    readAccount = "SELECT 0, id, " + k + ", version, last_sequence, granted, settled, expired, debited, active_holds,"
        + " CASE WHEN plan_signup_granted THEN 1 WHEN NOT plan_signup_granted THEN 0 END, plan_paid_cycle,"
        + " plan_cycle_start_sequence, plan_allowance_total, plan_subscription, plan_requests, plan_renewal_failures,"
        + " created_at, plan_due_at, plan_anchor, plan_pending_at, plan_cancel_at, plan_renewal_retry_at,"
        + " CAST(plan_tier AS " + text + "), CAST(plan_status AS " + text + "), CAST(plan_pending_tier AS " + text
        + "), CAST(plan_charges AS " + text + "), CAST(plan_orders AS " + text + "), plan_top_up_threshold,"
        + " plan_top_up_cap_minor, plan_top_up_spent_minor, plan_top_up_attempts, CASE WHEN plan_top_up_armed THEN 1"
        + " WHEN NOT plan_top_up_armed THEN 0 END, plan_top_up_month, plan_top_up_send_at, plan_top_up_skipped_at,"
        + " CAST(plan_top_up_pack AS " + text + "), CAST(plan_top_up_reference AS " + text + "), debt, overage_max_debt,"
        + " CAST(overage_mode AS " + text + ") FROM " + accounts + " WHERE id = ?";
    // kind 2: the live lots (the primary key: the table holds live lots only). Parameter: account.
    readLots = "SELECT 2, account, " + k + ", lot_id, granted, remaining, reserved, " + repeat(n, 10)
        + ", granted_at, expires_at, " + repeat(t, 4) + ", CAST(source AS " + text + "), " + repeat(s, 4) + u + " FROM "
        + lots + " WHERE account = ? AND (remaining > 0 OR reserved > 0)";
    String holdColumns = ", account, hold_id, amount, settled, " + repeat(n, 12) + ", created_at, deadline, ended_at, "
        + repeat(t, 3) + ", CAST(state AS " + text + "), CAST(metadata AS " + text + "), CAST(allocations AS " + text
        + "), " + repeat(s, 2) + u + " FROM " + holds;
    // kind 3: the holds the call names, in any state (primary key). Parameters: account, each id.
    readNamedHolds = "SELECT 3" + holdColumns + " WHERE account = ? AND hold_id IN (";
    // kind 4: the active holds past their deadline (holds_active_idx). Parameters: account, time.
    // On PostgreSQL the time is a sub-select, whose value the planner does not look at: a custom plan
    // then estimates this branch as the generic plan does, so the server keeps its generic plan of the
    // read. With the time as a plain parameter, an account with many active holds made every custom
    // plan (none overdue, from the deadline statistics) look cheaper than the generic one (a third of
    // them), and the read was planned again on every call. The executor still bounds the index scan
    // by the time, so the branch touches only the overdue holds.
    String overdueBefore = pg ? "(SELECT " + ts + ")" : "?";
    readOverdueHolds = "SELECT 4" + holdColumns + " WHERE account = ? AND state = 'ACTIVE' AND deadline < "
        + overdueBefore;
    // kind 5: the earliest deadline among the active holds, from the first entry of holds_active_idx;
    // no row when there is no active hold. Parameter: account.
    readEarliestDeadline = "(SELECT 5, account, hold_id, " + repeat(n, 14) + ", deadline, " + repeat(t, 5) + ", "
        + repeat(s, 5) + u + " FROM " + holds + " WHERE account = ? AND state = 'ACTIVE' ORDER BY deadline LIMIT 1)";
    reads = new String[CACHED_NAMED + 1][2];
    for (int named = 0; named <= CACHED_NAMED; named++) {
      reads[named][0] = buildRead(named, false);
      reads[named][1] = buildRead(named, true);
    }

    findIdempotency = "SELECT operation, fingerprint, result, at, account, idem_key FROM " + idempotency
        + " WHERE account = ? AND idem_key = ?";
    findHold = "SELECT amount, state, created_at, deadline, settled, ended_at, CAST(metadata AS " + text
        + "), CAST(allocations AS " + text + "), account, hold_id FROM " + holds + " WHERE account = ? AND hold_id = ?";
    ledgerSelect = "SELECT sequence, type, amount, lot_id, source, hold_id, idem_key, at, CAST(metadata AS " + text
        + "), account FROM " + ledger + " WHERE account = ? AND sequence > ?";
    // Active holds whose deadline has passed, oldest first (holds_due_idx). On PostgreSQL the sweep
    // skips holds another transaction has locked (a commit ending them, or another instance's sweep
    // working inside a host transaction), so sweepers split the work.
    holdsPastDeadline = "SELECT account, hold_id, deadline FROM " + holds
        + " WHERE state = 'ACTIVE' AND deadline < ? ORDER BY deadline, account, hold_id LIMIT ?"
        + (pg ? " FOR UPDATE SKIP LOCKED" : "");
    // Lots with credits remaining whose expiry has come, in expiry order (lots_expiring_idx), one
    // page at a time: the store reads pages until it has enough accounts, so the query never walks
    // every expired lot to group them by account.
    String expired = "SELECT account, expires_at, lot_id FROM " + lots
        + " WHERE remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ?";
    String expiredOrder = " ORDER BY expires_at, account, lot_id LIMIT ?";
    lotsExpired = expired + expiredOrder;
    lotsExpiredAfter = expired + " AND (expires_at > ? OR (expires_at = ? AND (account > ? OR (account = ?"
        + " AND lot_id > ?))))" + expiredOrder;
    accountsWithPlanDue = "SELECT id FROM " + accounts
        + " WHERE plan_due_at IS NOT NULL AND plan_due_at <= ? ORDER BY plan_due_at, id LIMIT ?";

    deleteProbeAccount = "DELETE FROM " + accounts + " WHERE id = ?";
    deleteProbeLots = "DELETE FROM " + lots + " WHERE account = ?";
    deleteProbeHolds = "DELETE FROM " + holds + " WHERE account = ?";
    deleteProbeLedger = "DELETE FROM " + ledger + " WHERE account = ?";
    deleteProbeIdempotency = "DELETE FROM " + idempotency + " WHERE account = ?";
    probeIdComparison = "SELECT 'accounts.id' FROM " + accounts + " WHERE id = ?"
        + " UNION ALL SELECT 'lots.account' FROM " + lots + " WHERE account = ?"
        + " UNION ALL SELECT 'holds.account' FROM " + holds + " WHERE account = ?"
        + " UNION ALL SELECT 'ledger.account' FROM " + ledger + " WHERE account = ?"
        + " UNION ALL SELECT 'idempotency.account' FROM " + idempotency + " WHERE account = ?"
        + " UNION ALL SELECT 'holds.hold_id' FROM " + holds + " WHERE account = ? AND hold_id = ?"
        + " UNION ALL SELECT 'idempotency.idem_key' FROM " + idempotency + " WHERE account = ? AND idem_key = ?";
  }

  /** The text of {@link #groupCommit}. */
  private String groupCommit(String accounts, String ledger, String idempotency) {
    String[] kinds = GroupCommit.COLUMNS;
    // Rows of a change are written only when its account's guarded update matched ("IN a"), so a
    // stale change leaves the others to commit; a guarded row of a matched account that does not
    // match (which its version rules out unless the rows were changed by hand) fails the batch.
    String matched = " WHERE account IN (SELECT id FROM a)";
    // The accounts' row locks are taken first, in the database's order of their ids: batches of two
    // stores (two instances of the host) that share accounts lock them alike and never deadlock.
    return "SELECT COUNT(*) FROM (SELECT 1 FROM " + accounts + " WHERE id IN (SELECT id FROM "
        + rows("id TEXT") + ") ORDER BY id FOR UPDATE) AS locked;\n"
        + "WITH a AS (UPDATE " + accounts + " AS t SET version = v.version, last_sequence = v.last_sequence,"
        + " granted = v.granted, settled = v.settled, expired = v.expired, debited = v.debited,"
        + " active_holds = v.active_holds, plan_due_at = v.plan_due_at, debt = v.debt,"
        + " overage_mode = v.overage_mode, overage_max_debt = v.overage_max_debt FROM " + rows(kinds[0])
        + " WHERE t.id = v.id AND t.version = v.expected AND t.last_sequence = v.previous RETURNING t.id),"
        + " clv AS (SELECT * FROM " + rows(kinds[1]) + matched + "),"
        + " cl AS (UPDATE " + lots + " AS l SET remaining = v.remaining, reserved = v.reserved,"
        + " expires_at = v.expires_at FROM clv AS v"
        + " WHERE l.account = v.account AND l.lot_id = v.lot_id AND (l.remaining > 0 OR l.reserved > 0) RETURNING 1),"
        + " slv AS (SELECT * FROM " + rows(kinds[2]) + matched + "),"
        + " sl AS (DELETE FROM " + lots + " AS l USING slv AS v"
        + " WHERE l.account = v.account AND l.lot_id = v.lot_id AND (l.remaining > 0 OR l.reserved > 0) RETURNING 1),"
        + " ehv AS (SELECT * FROM " + rows(kinds[3]) + matched + "),"
        + " eh AS (UPDATE " + holds + " AS h SET state = v.state, settled = v.settled, ended_at = v.ended_at"
        + " FROM ehv AS v WHERE h.account = v.account AND h.hold_id = v.hold_id AND h.ended_at IS NULL RETURNING 1),"
        + " i0 AS (INSERT INTO " + lots + " (" + names(kinds[4]) + ") SELECT * FROM " + rows(kinds[4]) + matched + "),"
        + " i1 AS (INSERT INTO " + holds + " (" + names(kinds[5]) + ") SELECT * FROM " + rows(kinds[5]) + matched + "),"
        + " i2 AS (INSERT INTO " + ledger + " (" + names(kinds[6]) + ") SELECT * FROM " + rows(kinds[6]) + matched
        + "),"
        + " i3 AS (INSERT INTO " + idempotency + " (" + names(kinds[7]) + ") SELECT * FROM " + rows(kinds[7])
        + matched + ")"
        + " SELECT id, 1 / CASE WHEN (SELECT COUNT(*) FROM cl) = (SELECT COUNT(*) FROM clv)"
        + " AND (SELECT COUNT(*) FROM sl) = (SELECT COUNT(*) FROM slv)"
        + " AND (SELECT COUNT(*) FROM eh) = (SELECT COUNT(*) FROM ehv) THEN 1 ELSE 0 END FROM a";
  }

  /** The rows of one JSON parameter, an array of objects: {@code json_to_recordset(CAST(? AS JSON)) AS v (...)}. */
  private static String rows(String columns) {
    return "json_to_recordset(CAST(? AS JSON)) AS v (" + columns + ")";
  }

  /** The names of {@code "name TYPE, ..."}. */
  private static String names(String columns) {
    StringBuilder sb = new StringBuilder();
    for (String column : columns.split(", ")) {
      sb.append(sb.length() == 0 ? "" : ", ").append(column, 0, column.indexOf(' '));
    }
    return sb.toString();
  }

  /**
   * Returns the one statement that reads an account for a call: when {@code keyed}, the
   * idempotency record (kind 1, parameters: account, key); then the row (kind 0, the id), the live
   * lots (kind 2, the account), when {@code named > 0} the named holds (kind 3, the account and each
   * hold id), the overdue active holds (kind 4, the account and the time) and the earliest active
   * deadline (kind 5, the account).
   *
   * @param named how many holds the call names
   * @param keyed whether to read the idempotency record too
   */
  String read(int named, boolean keyed) {
    return named <= CACHED_NAMED ? reads[named][keyed ? 1 : 0] : buildRead(named, keyed);
  }

  private String buildRead(int named, boolean keyed) {
    StringBuilder sb = new StringBuilder(2048);
    if (keyed) {
      sb.append(readIdempotency).append(" UNION ALL ");
    }
    sb.append(readAccount).append(" UNION ALL ").append(readLots);
    if (named > 0) {
      sb.append(" UNION ALL ").append(readNamedHolds);
      for (int i = 0; i < named; i++) {
        sb.append(i == 0 ? "?" : ", ?");
      }
      sb.append(')');
    }
    sb.append(" UNION ALL ").append(readOverdueHolds).append(" UNION ALL ").append(readEarliestDeadline);
    return sb.toString();
  }

  /** {@link #updateAccount}, or {@link #updateCounters} when the plan stays as stored. */
  String updateAccount(boolean planChanged) {
    return planChanged ? updateAccount : updateCounters;
  }

  /**
   * Returns the PostgreSQL statement that replaces {@code rows} live lots at once: per lot the
   * parameters of {@link #updateLot} without the account, then the account once.
   */
  String updateLots(int rows) {
    requirePg();
    StringBuilder sb = new StringBuilder(256 + 40 * rows);
    sb.append("UPDATE ").append(lots).append(" AS l SET remaining = v.remaining, reserved = v.reserved,"
        + " expires_at = v.expires_at FROM (VALUES ");
    values(sb, rows, changedLotRow);
    sb.append(") AS v (remaining, reserved, expires_at, lot_id)"
        + " WHERE l.account = ? AND l.lot_id = v.lot_id AND (l.remaining > 0 OR l.reserved > 0)");
    return sb.toString();
  }

  /**
   * Returns the statement that removes {@code rows} spent lots that were live: the account, then
   * each lot id.
   */
  String deleteLots(int rows) {
    StringBuilder sb = new StringBuilder(128 + 4 * rows);
    sb.append("DELETE FROM ").append(lots).append(" WHERE account = ? AND lot_id IN (");
    for (int i = 0; i < rows; i++) {
      sb.append(i == 0 ? "?" : ", ?");
    }
    return sb.append(") AND (remaining > 0 OR reserved > 0)").toString();
  }

  /**
   * Returns the PostgreSQL statement that ends {@code rows} active holds at once: per hold the
   * parameters of {@link #endHold} without the account, then the account once.
   */
  String endHolds(int rows) {
    requirePg();
    StringBuilder sb = new StringBuilder(256 + 50 * rows);
    sb.append("UPDATE ").append(holds).append(" AS h SET state = v.state, settled = v.settled, ended_at = v.ended_at"
        + " FROM (VALUES ");
    values(sb, rows, endedHoldRow);
    sb.append(") AS v (state, settled, ended_at, hold_id)"
        // Active means not ended (core's Hold ties the two); asked as ended_at IS NULL, the
        // guard cannot make a partial index on active holds look like the way to one hold, which
        // would walk every active hold: the primary key finds it.
        + " WHERE h.account = ? AND h.hold_id = v.hold_id AND h.ended_at IS NULL");
    return sb.toString();
  }

  /**
   * Appends {@code rows} copies of one row of parameters: {@code (?, ?), (?, ?)}.
   *
   * @param sb where to append
   * @param rows how many rows
   * @param row the row, with its parentheses
   */
  static void values(StringBuilder sb, int rows, String row) {
    for (int r = 0; r < rows; r++) {
      if (r > 0) {
        sb.append(", ");
      }
      sb.append(row);
    }
  }

  /** {@code count} copies of an expression, separated by commas. */
  private static String repeat(String expression, int count) {
    return String.join(", ", java.util.Collections.nCopies(count, expression));
  }

  /** Copies of an expression named {@code prefix<from>} to {@code prefix<to>}, separated by commas. */
  private static String numbered(String prefix, String expression, int from, int to) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i <= to; i++) {
      sb.append(i == from ? "" : ", ").append(expression).append(" AS ").append(prefix).append(i);
    }
    return sb.toString();
  }

  private void requirePg() {
    if (!pg) {
      throw new IllegalStateException("multi-row updates are PostgreSQL's");
    }
  }

  /**
   * Returns the ledger query for the bounds present; bounds are bound as parameters after the
   * account and the sequence, {@code from} first.
   */
  String readLedger(boolean from, boolean to) {
    return ledgerSelect + (from ? " AND at >= ?" : "") + (to ? " AND at < ?" : "") + " ORDER BY sequence LIMIT ?";
  }
}
