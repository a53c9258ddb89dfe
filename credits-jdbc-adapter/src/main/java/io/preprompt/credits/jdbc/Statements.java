package io.preprompt.credits.jdbc;

/**
 * The store's SQL, built once per configuration. Only validated identifiers (schema and prefix, see
 * {@link JdbcStoreConfig}) are part of the text; every value is a bind parameter.
 */
final class Statements {
  final String insertAccount;
  final String updateAccount;
  final String selectAccountState;
  final String insertEndedHold;
  final String endedHoldExists;
  final String insertLedger;
  final String insertIdempotency;
  final String load;
  final String loadForCall;
  final String findIdempotency;
  final String findHold;
  final String holdsPastDeadline;
  final String accountsWithExpiredLots;
  final String accountsWithPlanDue;
  /** Deletes the probe rows of {@link #probeIdComparison}, one statement per table. */
  final String deleteProbeAccount;
  final String deleteProbeHolds;
  final String deleteProbeLedger;
  final String deleteProbeIdempotency;
  /**
   * Names each id column that finds a probe row under its id in another case: one row per column
   * that compares case-insensitively (or otherwise not exactly). Parameters: the account id in
   * another case (four times, once per table), then the exact account id with the hold id in
   * another case, then the exact account id with the key in another case.
   */
  final String probeIdComparison;
  private final String ledgerSelect;
  /** Whether commits may send their statements in one round trip (PostgreSQL's driver pipelines them). */
  final boolean pipelineCommits;
  final String ledgerColumns;
  final String endedHoldColumns;
  /** Appended to {@link #updateAccount} once per hold the change ends: the hold must be active now. */
  private final String activeHoldGuard;
  /** Appended to {@link #updateAccount} once per hold the change places: the id must be new to the account. */
  private final String newHoldGuard;

  Statements(JdbcStoreConfig config) {
    String accounts = config.table("accounts");
    String holds = config.table("holds");
    String ledger = config.table("ledger");
    String idempotency = config.table("idempotency");
    boolean pg = config.dialect() == JdbcStoreConfig.Dialect.POSTGRESQL;
    String text = pg ? "TEXT" : "VARCHAR";
    pipelineCommits = pg;
    endedHoldColumns = "INSERT INTO " + holds
        + " (account, hold_id, amount, state, created_at, deadline, settled, ended_at, metadata, allocations) VALUES ";
    ledgerColumns = "INSERT INTO " + ledger
        + " (account, sequence, type, amount, lot_id, source, hold_id, idem_key, at, metadata) VALUES ";

    insertAccount = "INSERT INTO " + accounts
        + " (id, version, last_sequence, granted, settled, expired, debited, created_at, plan, plan_due_at, lots,"
        + " active_holds, next_lot_expiry, next_hold_deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    // The guard on version makes the write safe under READ COMMITTED: a concurrent commit that got
    // there first leaves 0 rows to update, and the document written is the stored one plus the
    // change. The guard on last_sequence catches a change whose ledger entries do not continue the
    // stored ledger; activeHoldGuard, one per ended hold, one that ends a hold not active here;
    // newHoldGuard, one per new hold, one that places a hold under an id the account already used.
    updateAccount = "UPDATE " + accounts
        + " SET version = ?, last_sequence = ?, granted = ?, settled = ?, expired = ?, debited = ?, plan = ?,"
        + " plan_due_at = ?, lots = ?, active_holds = ?, next_lot_expiry = ?, next_hold_deadline = ?"
        + " WHERE id = ? AND version = ? AND last_sequence = ?";
    String holdsText = (pg ? "chr(10)" : "CHAR(10)") + " || active_holds";
    activeHoldGuard = " AND POSITION(? IN " + holdsText + ") > 0";
    newHoldGuard = " AND POSITION(? IN " + holdsText + ") = 0 AND NOT EXISTS (SELECT 1 FROM " + holds
        + " WHERE account = ? AND hold_id = ?)";
    // Every read by id also returns the id the row holds: the store checks it is exactly the one
    // asked for (see JdbcCreditStore#requireExact), whatever the columns' collation.
    selectAccountState = "SELECT version, last_sequence, active_holds, id FROM " + accounts + " WHERE id = ?";
    endedHoldExists = "SELECT account, hold_id FROM " + holds + " WHERE account = ? AND hold_id = ?";
    insertEndedHold = endedHoldColumns + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    insertLedger = ledgerColumns + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    insertIdempotency = "INSERT INTO " + idempotency
        + " (account, idem_key, operation, fingerprint, result, at) VALUES (?, ?, ?, ?, ?, ?)";

    // The account is one row: its counters, plan, live lots and active holds. Columns: kind,
    // n1..n6 numbers, t1..t2 instants, s1..s3 strings.
    String nullNumber = "CAST(NULL AS BIGINT)";
    String nullInstant = "CAST(NULL AS NUMERIC(26, 9))";
    load = "SELECT 0 AS kind, version AS n1, last_sequence AS n2, granted AS n3, settled AS n4, expired AS n5,"
        + " debited AS n6, created_at AS t1, plan_due_at AS t2, CAST(plan AS " + text + ") AS s1,"
        + " CAST(lots AS " + text + ") AS s2, CAST(active_holds AS " + text + ") AS s3, id AS a1,"
        + " CAST(NULL AS VARCHAR(200)) AS k1 FROM " + accounts + " WHERE id = ?";
    // The idempotency record (kind 1) and the account in one statement: what core reads first for
    // every keyed call, in one round trip and one snapshot.
    loadForCall = "SELECT 1 AS kind, " + nullNumber + " AS n1, " + nullNumber + " AS n2, " + nullNumber + " AS n3, "
        + nullNumber + " AS n4, " + nullNumber + " AS n5, " + nullNumber + " AS n6, at AS t1, " + nullInstant
        + " AS t2, CAST(operation AS " + text + ") AS s1, CAST(fingerprint AS " + text + ") AS s2, CAST(result AS "
        + text + ") AS s3, account AS a1, idem_key AS k1 FROM " + idempotency
        + " WHERE account = ? AND idem_key = ? UNION ALL " + load;
    findIdempotency = "SELECT operation, fingerprint, result, at, account, idem_key FROM " + idempotency
        + " WHERE account = ? AND idem_key = ?";
    // The hold ended (kind 0, its row) or is active (kind 1, the account's active holds), in one
    // statement; both are looked up within the account.
    findHold = "SELECT 0 AS kind, amount, CAST(state AS " + text + ") AS state, created_at, deadline, settled,"
        + " ended_at, CAST(metadata AS " + text + ") AS metadata, CAST(allocations AS " + text + ") AS allocations,"
        + " account AS a1, hold_id AS h1 FROM " + holds + " WHERE account = ? AND hold_id = ?"
        + " UNION ALL SELECT 1, " + nullNumber + ", CAST(NULL AS " + text + "), " + nullInstant + ", " + nullInstant
        + ", " + nullNumber + ", " + nullInstant + ", CAST(active_holds AS " + text + "), CAST(NULL AS " + text
        + "), id, CAST(NULL AS VARCHAR(66)) FROM " + accounts + " WHERE id = ?";
    ledgerSelect = "SELECT sequence, type, amount, lot_id, source, hold_id, idem_key, at, metadata, account FROM "
        + ledger + " WHERE account = ? AND sequence > ?";
    // Accounts whose earliest active hold deadline has passed, earliest first; the store picks their
    // overdue holds from the active holds. On PostgreSQL the sweep skips accounts another
    // transaction has locked (a commit in progress, or another instance's sweep working inside a
    // host transaction), so sweepers split the work.
    holdsPastDeadline = "SELECT id, active_holds FROM " + accounts
        + " WHERE next_hold_deadline IS NOT NULL AND next_hold_deadline < ? ORDER BY next_hold_deadline, id LIMIT ?"
        + (pg ? " FOR UPDATE SKIP LOCKED" : "");
    accountsWithExpiredLots = "SELECT id FROM " + accounts
        + " WHERE next_lot_expiry IS NOT NULL AND next_lot_expiry <= ? ORDER BY next_lot_expiry, id LIMIT ?";
    accountsWithPlanDue = "SELECT id FROM " + accounts
        + " WHERE plan_due_at IS NOT NULL AND plan_due_at <= ? ORDER BY plan_due_at, id LIMIT ?";

    deleteProbeAccount = "DELETE FROM " + accounts + " WHERE id = ?";
    deleteProbeHolds = "DELETE FROM " + holds + " WHERE account = ?";
    deleteProbeLedger = "DELETE FROM " + ledger + " WHERE account = ?";
    deleteProbeIdempotency = "DELETE FROM " + idempotency + " WHERE account = ?";
    probeIdComparison = "SELECT 'accounts.id' FROM " + accounts + " WHERE id = ?"
        + " UNION ALL SELECT 'holds.account' FROM " + holds + " WHERE account = ?"
        + " UNION ALL SELECT 'ledger.account' FROM " + ledger + " WHERE account = ?"
        + " UNION ALL SELECT 'idempotency.account' FROM " + idempotency + " WHERE account = ?"
        + " UNION ALL SELECT 'holds.hold_id' FROM " + holds + " WHERE account = ? AND hold_id = ?"
        + " UNION ALL SELECT 'idempotency.idem_key' FROM " + idempotency + " WHERE account = ? AND idem_key = ?";
  }

  /**
   * Returns the guarded account update for a change that ends {@code endedHolds} holds and places
   * {@code newHolds}: after the three guard values, each ended hold's {@link Codec#holdMarker} is
   * bound, then for each new hold its marker, the account and the hold id.
   */
  String updateAccount(int endedHolds, int newHolds) {
    if (endedHolds == 0 && newHolds == 0) {
      return updateAccount;
    }
    StringBuilder sb = new StringBuilder(updateAccount.length() + endedHolds * activeHoldGuard.length()
        + newHolds * newHoldGuard.length());
    sb.append(updateAccount);
    for (int i = 0; i < endedHolds; i++) {
      sb.append(activeHoldGuard);
    }
    for (int i = 0; i < newHolds; i++) {
      sb.append(newHoldGuard);
    }
    return sb.toString();
  }

  /**
   * Returns the ledger query for the bounds present; bounds are bound as parameters after the
   * account and the sequence, {@code from} first.
   */
  String readLedger(boolean from, boolean to) {
    return ledgerSelect + (from ? " AND at >= ?" : "") + (to ? " AND at < ?" : "") + " ORDER BY sequence LIMIT ?";
  }
}
