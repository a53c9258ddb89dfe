package io.preprompt.credits.jdbc;

/**
 * The store's SQL, built once per configuration. Only validated identifiers (schema and prefix, see
 * {@link JdbcStoreConfig}) are part of the text; every value is a bind parameter.
 */
final class Statements {
  final String insertAccount;
  final String updateAccount;
  final String selectAccountVersion;
  final String insertLot;
  final String updateLot;
  final String insertHold;
  final String endHold;
  final String insertLedger;
  final String insertIdempotency;
  final String load;
  final String loadForCall;
  final String findIdempotency;
  final String findHold;
  final String holdsPastDeadline;
  final String accountsWithExpiredLots;
  final String accountsWithPlanDue;
  private final String ledgerSelect;
  /** Whether commits may send their statements in one round trip (PostgreSQL's driver pipelines them). */
  final boolean pipelineCommits;
  final String ledgerColumns;
  final String holdColumns;
  final String lotColumns;

  Statements(JdbcStoreConfig config) {
    String accounts = config.table("accounts");
    String lots = config.table("lots");
    String holds = config.table("holds");
    String ledger = config.table("ledger");
    String idempotency = config.table("idempotency");
    boolean pg = config.dialect() == JdbcStoreConfig.Dialect.POSTGRESQL;
    String text = pg ? "TEXT" : "VARCHAR";
    pipelineCommits = pg;
    lotColumns = "INSERT INTO " + lots
        + " (account, lot_id, source, granted, remaining, reserved, granted_at, expires_at) VALUES ";
    holdColumns = "INSERT INTO " + holds
        + " (account, hold_id, amount, state, created_at, deadline, settled, ended_at, metadata, allocations) VALUES ";
    ledgerColumns = "INSERT INTO " + ledger
        + " (account, sequence, type, amount, lot_id, source, hold_id, idem_key, at, metadata) VALUES ";

    insertAccount = "INSERT INTO " + accounts
        + " (id, version, last_sequence, granted, settled, expired, debited, created_at, plan, plan_due_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    // The guard on version makes the write safe under READ COMMITTED: a concurrent commit that got
    // there first leaves 0 rows to update. The guard on last_sequence catches a change whose ledger
    // entries do not continue the stored ledger.
    updateAccount = "UPDATE " + accounts
        + " SET version = ?, last_sequence = ?, granted = ?, settled = ?, expired = ?, debited = ?, plan = ?,"
        + " plan_due_at = ? WHERE id = ? AND version = ? AND last_sequence = ?";
    selectAccountVersion = "SELECT version FROM " + accounts + " WHERE id = ?";
    insertLot = "INSERT INTO " + lots
        + " (account, lot_id, source, granted, remaining, reserved, granted_at, expires_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    updateLot = "UPDATE " + lots + " SET remaining = ?, reserved = ?, expires_at = ? WHERE account = ? AND lot_id = ?";
    insertHold = "INSERT INTO " + holds
        + " (account, hold_id, amount, state, created_at, deadline, settled, ended_at, metadata, allocations)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    endHold = "UPDATE " + holds + " SET state = ?, settled = ?, ended_at = ?"
        + " WHERE account = ? AND hold_id = ? AND state = 'ACTIVE'";
    insertLedger = "INSERT INTO " + ledger
        + " (account, sequence, type, amount, lot_id, source, hold_id, idem_key, at, metadata)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    insertIdempotency = "INSERT INTO " + idempotency
        + " (account, idem_key, operation, fingerprint, result, at) VALUES (?, ?, ?, ?, ?, ?)";

    // One statement, so one round trip and one consistent snapshot of the account row, its live
    // lots and its active holds. Columns: kind, n1..n6 numbers, t1..t3 instants, s1..s4 strings.
    String nullNumber = "CAST(NULL AS BIGINT)";
    String zero = "CAST(0 AS BIGINT)";
    String nullInstant = "CAST(NULL AS NUMERIC(26, 9))";
    String nullText = "CAST(NULL AS " + text + ")";
    load = "SELECT 0 AS kind, version AS n1, last_sequence AS n2, granted AS n3, settled AS n4, expired AS n5,"
        + " debited AS n6, created_at AS t1, plan_due_at AS t2, " + nullInstant + " AS t3, "
        + nullText + " AS s1, " + nullText + " AS s2, CAST(plan AS " + text + ") AS s3, " + nullText + " AS s4"
        + " FROM " + accounts + " WHERE id = ?"
        + " UNION ALL SELECT 1, lot_id, granted, remaining, reserved, " + zero + ", " + zero + ", granted_at,"
        + " expires_at, " + nullInstant + ", " + nullText + ", CAST(source AS " + text + "), " + nullText + ", "
        + nullText + " FROM " + lots + " WHERE account = ? AND (remaining > 0 OR reserved > 0)"
        + " UNION ALL SELECT 2, amount, settled, " + zero + ", " + zero + ", " + zero + ", " + nullNumber
        + ", created_at, deadline, ended_at, CAST(hold_id AS " + text + "), CAST(state AS " + text + "),"
        + " CAST(metadata AS " + text + "), CAST(allocations AS " + text + ")"
        + " FROM " + holds + " WHERE account = ? AND state = 'ACTIVE'";
    // The idempotency record (kind 3) and the account in one statement: what core reads first for
    // every keyed call, in one round trip and one snapshot.
    loadForCall = "SELECT 3 AS kind, " + nullNumber + " AS n1, " + nullNumber + " AS n2, " + nullNumber + " AS n3, "
        + nullNumber + " AS n4, " + nullNumber + " AS n5, " + nullNumber + " AS n6, at AS t1, " + nullInstant
        + " AS t2, " + nullInstant + " AS t3, CAST(operation AS " + text + ") AS s1, CAST(fingerprint AS " + text
        + ") AS s2, CAST(result AS " + text + ") AS s3, " + nullText + " AS s4 FROM " + idempotency
        + " WHERE account = ? AND idem_key = ? UNION ALL " + load;
    findIdempotency = "SELECT operation, fingerprint, result, at FROM " + idempotency
        + " WHERE account = ? AND idem_key = ?";
    findHold = "SELECT amount, state, created_at, deadline, settled, ended_at, metadata, allocations FROM " + holds
        + " WHERE account = ? AND hold_id = ?";
    ledgerSelect = "SELECT sequence, type, amount, lot_id, source, hold_id, idem_key, at, metadata FROM " + ledger
        + " WHERE account = ? AND sequence > ?";
    // On PostgreSQL the sweep skips holds another transaction has locked (a commit ending them, or
    // another instance's sweep working inside a host transaction), so sweepers split the work.
    holdsPastDeadline = "SELECT account, hold_id, deadline FROM " + holds
        + " WHERE state = 'ACTIVE' AND deadline < ? ORDER BY deadline, account, hold_id LIMIT ?"
        + (pg ? " FOR UPDATE SKIP LOCKED" : "");
    accountsWithExpiredLots = "SELECT account, MIN(expires_at) AS first_due FROM " + lots
        + " WHERE remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ?"
        + " GROUP BY account ORDER BY first_due, account LIMIT ?";
    accountsWithPlanDue = "SELECT id FROM " + accounts
        + " WHERE plan_due_at IS NOT NULL AND plan_due_at <= ? ORDER BY plan_due_at, id LIMIT ?";
  }

  /**
   * Returns the ledger query for the bounds present; bounds are bound as parameters after the
   * account and the sequence, {@code from} first.
   */
  String readLedger(boolean from, boolean to) {
    return ledgerSelect + (from ? " AND at >= ?" : "") + (to ? " AND at < ?" : "") + " ORDER BY sequence LIMIT ?";
  }
}
