package io.preprompt.credits.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The hand-written SQL a competent developer would write on PostgreSQL for holds and settles: the
 * baseline of the JDBC benchmarks. Each call is ONE data-modifying statement in auto-commit (one
 * round trip, one commit): {@code WITH u AS (UPDATE ... RETURNING ...), h AS (INSERT ...), l AS
 * (INSERT ...) INSERT INTO ... idempotency ...}, every part fed by the guarded update, so either
 * all rows are written or none.
 *
 * <p>The same guards as the library: credits never go negative (the account's update only matches
 * while enough is available), a settle only ends an open hold, every call writes a ledger row and
 * an idempotency row, and a key used again is a replay (the unique key refuses the whole statement;
 * the stored result is returned; a refused call writes no record). Tables with the same primary keys as the adapter's (accounts by
 * id, holds by account and hold, ledger by account and sequence, idempotency by account and key),
 * no foreign keys, no CHECKs (the adapter's V2 has none either), no other index.
 */
final class CompetentSql {
  private static final String UNIQUE_VIOLATION = "23505";

  /** A call the baseline refused: a business outcome, typed so callers tell it from a failure. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why. */
    enum Reason {
      INSUFFICIENT_CREDITS, HOLD_NOT_OPEN
    }

    private final Reason reason;

    Refused(Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    Reason reason() {
      return reason;
    }
  }

  private final FixedPool pool;
  private final InstantSource clock;
  private final String open;
  private final String hold;
  private final String settle;
  private final String replay;

  CompetentSql(FixedPool pool, String prefix, InstantSource clock) {
    this.pool = pool;
    this.clock = clock;
    String accounts = prefix + "base_accounts";
    String holds = prefix + "base_holds";
    String ledger = prefix + "base_ledger";
    String idempotency = prefix + "base_idempotency";
    open = "INSERT INTO " + accounts + " (id, available, held, settled, last_sequence) VALUES (?, ?, 0, 0, 0)";
    // Parameters: amount, amount, account, amount | account, hold, amount, now, deadline |
    // account, amount, hold, key, now | account, key, hold (result), now.
    hold = "WITH u AS (UPDATE " + accounts + " SET available = available - ?, held = held + ?,"
        + " last_sequence = last_sequence + 1 WHERE id = ? AND available >= ? RETURNING last_sequence),"
        + " h AS (INSERT INTO " + holds + " (account, hold_id, amount, state, settled, created_at, deadline, ended_at)"
        + " SELECT ?, ?, ?, 'ACTIVE', 0, ?, ?, NULL FROM u),"
        + " l AS (INSERT INTO " + ledger + " (account, sequence, type, amount, hold_id, idem_key, at)"
        + " SELECT ?, u.last_sequence, 'HOLD', ?, ?, ?, ? FROM u)"
        + " INSERT INTO " + idempotency + " (account, idem_key, operation, result, at)"
        + " SELECT ?, ?, 'hold', ?, ? FROM u RETURNING result";
    // Parameters: now, account, hold | account | account, hold, key, now | account, key, now.
    settle = "WITH h AS (UPDATE " + holds + " SET state = 'SETTLED', settled = amount, ended_at = ?"
        + " WHERE account = ? AND hold_id = ? AND state = 'ACTIVE' RETURNING amount),"
        + " u AS (UPDATE " + accounts + " a SET held = a.held - h.amount, settled = a.settled + h.amount,"
        + " last_sequence = a.last_sequence + 1 FROM h WHERE a.id = ? RETURNING a.last_sequence, h.amount),"
        + " l AS (INSERT INTO " + ledger + " (account, sequence, type, amount, hold_id, idem_key, at)"
        + " SELECT ?, u.last_sequence, 'SETTLE', u.amount, ?, ?, ? FROM u)"
        + " INSERT INTO " + idempotency + " (account, idem_key, operation, result, at)"
        + " SELECT ?, ?, 'settle', u.amount::text, ? FROM u RETURNING result";
    replay = "SELECT operation, result FROM " + idempotency + " WHERE account = ? AND idem_key = ?";
  }

  static void createTables(FixedPool pool, String prefix) throws SQLException {
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + prefix + "base_accounts (id VARCHAR(128) PRIMARY KEY, available BIGINT NOT NULL,"
          + " held BIGINT NOT NULL, settled BIGINT NOT NULL, last_sequence BIGINT NOT NULL)");
      st.execute("CREATE TABLE " + prefix + "base_holds (account VARCHAR(128) NOT NULL, hold_id VARCHAR(66) NOT NULL,"
          + " amount BIGINT NOT NULL, state TEXT NOT NULL, settled BIGINT NOT NULL, created_at TIMESTAMPTZ NOT NULL,"
          + " deadline TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ, PRIMARY KEY (account, hold_id))");
      st.execute("CREATE TABLE " + prefix + "base_ledger (account VARCHAR(128) NOT NULL, sequence BIGINT NOT NULL,"
          + " type TEXT NOT NULL, amount BIGINT NOT NULL, hold_id VARCHAR(66), idem_key VARCHAR(200),"
          + " at TIMESTAMPTZ NOT NULL, PRIMARY KEY (account, sequence))");
      st.execute("CREATE TABLE " + prefix + "base_idempotency (account VARCHAR(128) NOT NULL,"
          + " idem_key VARCHAR(200) NOT NULL, operation TEXT NOT NULL, result TEXT NOT NULL,"
          + " at TIMESTAMPTZ NOT NULL, PRIMARY KEY (account, idem_key))");
    }
  }

  void open(String account, long credits) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(open)) {
      ps.setString(1, account);
      ps.setLong(2, credits);
      ps.executeUpdate();
    }
  }

  /**
   * Holds {@code amount} credits.
   *
   * @return the hold's id (the first call's, when the key was used before)
   * @throws Refused when fewer credits are available
   */
  String hold(String account, long amount, String key) throws SQLException {
    String id = UUID.randomUUID().toString();
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(hold)) {
      int i = 1;
      ps.setLong(i++, amount);
      ps.setLong(i++, amount);
      ps.setString(i++, account);
      ps.setLong(i++, amount);
      ps.setString(i++, account);
      ps.setString(i++, id);
      ps.setLong(i++, amount);
      ps.setObject(i++, now);
      ps.setObject(i++, now.plusMinutes(10));
      ps.setString(i++, account);
      ps.setLong(i++, amount);
      ps.setString(i++, id);
      ps.setString(i++, key);
      ps.setObject(i++, now);
      ps.setString(i++, account);
      ps.setString(i++, key);
      ps.setString(i++, id);
      ps.setObject(i, now);
      return single(c, ps, account, key, "hold", Refused.Reason.INSUFFICIENT_CREDITS,
          "fewer than " + amount + " credits available on " + account);
    }
  }

  /**
   * Settles an open hold in full.
   *
   * @return the credits settled (the first call's, when the key was used before)
   * @throws Refused when the hold is not open (settled, released, or never placed)
   */
  long settle(String account, String holdId, String key) throws SQLException {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(settle)) {
      int i = 1;
      ps.setObject(i++, now);
      ps.setString(i++, account);
      ps.setString(i++, holdId);
      ps.setString(i++, account);
      ps.setString(i++, account);
      ps.setString(i++, holdId);
      ps.setString(i++, key);
      ps.setObject(i++, now);
      ps.setString(i++, account);
      ps.setString(i++, key);
      ps.setObject(i, now);
      return Long.parseLong(single(c, ps, account, key, "settle", Refused.Reason.HOLD_NOT_OPEN,
          "hold " + holdId + " of " + account + " is not open"));
    }
  }

  /**
   * Runs the one statement: its result row; or, when the key was used before (a unique violation,
   * or no row because the first call already spent the guard, as a settle's replay does), the
   * stored result; else the refusal. The look-up runs only on those paths, never on a pair's.
   */
  private String single(Connection c, PreparedStatement ps, String account, String key, String operation,
      Refused.Reason refusal, String message) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        return rs.getString(1);
      }
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e;
      }
      String stored = stored(c, account, key, operation);
      if (stored == null) {
        throw e;
      }
      return stored;
    }
    String stored = stored(c, account, key, operation);
    if (stored == null) {
      throw new Refused(refusal, message);
    }
    return stored;
  }

  private @Nullable String stored(Connection c, String account, String key, String operation) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(replay)) {
      q.setString(1, account);
      q.setString(2, key);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() && rs.getString(1).equals(operation) ? rs.getString(2) : null;
      }
    }
  }
}
