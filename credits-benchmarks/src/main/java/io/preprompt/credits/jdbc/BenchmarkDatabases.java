package io.preprompt.credits.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The benchmarks' door into the JDBC adapter's package: the adapter tests' PostgreSQL launcher
 * ({@link PostgresServer}, from the adapter's test jar) and the adapter's column encodings, used to
 * seed long histories with plain SQL instead of a million engine calls. Not part of any API.
 */
public final class BenchmarkDatabases {
  /**
   * The system property carrying the JDBC URL of the durable server the suite started
   * ({@link #durableUrl()}); the suite passes it to its JMH forks.
   */
  public static final String DURABLE_URL = "benchmarks.durableUrl";
  /** The system property carrying the JDBC URL of the no-durability server ({@link #postgresUrl()}). */
  public static final String NO_DURABILITY_URL = "benchmarks.noDurabilityUrl";

  private static volatile @Nullable PostgresServer durable;

  private BenchmarkDatabases() {}

  /**
   * The no-durability PostgreSQL server: the one named by {@value #NO_DURABILITY_URL} when set
   * (the suite's), else the throw-away server the adapter's tests use ({@code fsync},
   * {@code synchronous_commit} and {@code full_page_writes} off), started once per JVM and stopped
   * and deleted at JVM exit.
   *
   * @return the JDBC URL of its database, user {@code postgres}
   */
  public static String postgresUrl() {
    String url = System.getProperty(NO_DURABILITY_URL);
    return url == null || url.isBlank() ? PostgresServer.get().url() : url;
  }

  /**
   * The durable PostgreSQL server ({@code fsync}, {@code synchronous_commit} and
   * {@code full_page_writes} on, as in production): the one named by {@value #DURABLE_URL} when set
   * (the suite's, so that every fork and pgbench use one server), else one started once per JVM
   * and stopped and deleted at JVM exit.
   *
   * @return the JDBC URL of its database, user {@code postgres}
   */
  public static String durableUrl() {
    String url = System.getProperty(DURABLE_URL);
    if (url != null && !url.isBlank()) {
      return url;
    }
    PostgresServer server = durable;
    if (server == null) {
      synchronized (BenchmarkDatabases.class) {
        server = durable;
        if (server == null) {
          server = PostgresServer.production();
          durable = server;
        }
      }
    }
    return server.url();
  }

  /**
   * Copies an account the adapter created, with all its rows (account, lots, holds, ledger,
   * idempotency records), to {@code count} new accounts named {@code prefix + 1 ...}: rows exactly
   * as core wrote them for the template, with the account's id replaced (in text columns as well,
   * where a fingerprint or result names it). One statement per table, set based
   * ({@code generate_series}), so a million accounts take seconds, not a million engine calls.
   *
   * @param c a connection in auto-commit mode
   * @param config the store's configuration (PostgreSQL)
   * @param template the account to copy; its id must not occur in any other text by chance
   * @param prefix the new accounts' ids before their number
   * @param count how many accounts to add
   * @throws SQLException when a statement fails
   */
  public static void copyAccount(Connection c, JdbcStoreConfig config, String template, String prefix, long count)
      throws SQLException {
    for (String name : new String[] {"accounts", "lots", "holds", "ledger", "idempotency"}) {
      String table = config.table(name);
      String key = name.equals("accounts") ? "id" : "account";
      List<String> columns = new ArrayList<>();
      List<String> values = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
          + " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
        ps.setString(1, config.schema().orElse("public"));
        ps.setString(2, config.tablePrefix() + name);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            String column = rs.getString(1);
            String type = rs.getString(2);
            columns.add(column);
            if (column.equals(key)) {
              values.add("? || g");
            } else if (type.equals("text") || type.equals("character varying")) {
              values.add("replace(t." + column + ", ?, ? || g)");
            } else {
              values.add("t." + column);
            }
          }
        }
      }
      String sql = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") SELECT " + String.join(", ", values)
          + " FROM " + table + " t CROSS JOIN generate_series(1, ?) g WHERE t." + key + " = ?";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int i = 1;
        for (String v : values) {
          if (v.startsWith("? ||")) {
            ps.setString(i++, prefix);
          } else if (v.startsWith("replace(")) {
            ps.setString(i++, template);
            ps.setString(i++, prefix);
          }
        }
        ps.setLong(i++, count);
        ps.setString(i, template);
        ps.executeUpdate();
      }
      try (var st = c.createStatement()) {
        st.execute("ANALYZE " + table);
      }
    }
  }

  /**
   * Appends a finished history to an account the adapter created: {@code pairs} settled holds of
   * {@code amount} credits each on lot {@code lot}, with their HOLD and SETTLE ledger entries and
   * the idempotency records of both calls, as core would have written them, then moves the
   * account row (version, last sequence, settled total) and the lot's row past them.
   * One transaction, set based ({@code generate_series}), so a million entries take seconds.
   *
   * @param c a connection (auto-commit is restored)
   * @param config the store's configuration (PostgreSQL)
   * @param account the account id
   * @param lot the lot the holds drew from; it must hold at least {@code pairs * amount} credits
   * @param pairs how many hold+settle pairs to add (2 ledger entries each)
   * @param amount credits per hold
   * @param at the time stamped on the rows
   * @throws SQLException when a statement fails
   */
  public static void seedPostgresHistory(Connection c, JdbcStoreConfig config, String account, long lot, long pairs,
      long amount, Instant at) throws SQLException {
    String accounts = config.table("accounts");
    String holds = config.table("holds");
    String ledger = config.table("ledger");
    String idempotency = config.table("idempotency");
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      long base;
      try (PreparedStatement ps = c.prepareStatement("SELECT last_sequence FROM " + accounts
          + " WHERE id = ? FOR UPDATE")) {
        ps.setString(1, account);
        try (var rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("no account " + account);
          }
          base = rs.getLong(1);
        }
      }
      OffsetDateTime time = Codec.timestamp(at);
      String holdId = "'h_seed' || g";
      exec(c, "INSERT INTO " + holds + " (account, hold_id, amount, state, created_at, deadline, settled, ended_at,"
          + " metadata, allocations) SELECT ?, " + holdId + ", ?, 'SETTLED', ?, ?, ?, ?, '{}'::jsonb,"
          + " jsonb_build_array(jsonb_build_object('lot', ?::bigint, 'amount', ?::bigint))"
          + " FROM generate_series(1, ?) g", account, amount, time, time, amount, time, lot, amount, pairs);
      exec(c, "INSERT INTO " + ledger + " (account, sequence, type, amount, lot_id, source, hold_id, idem_key, at,"
          + " metadata) SELECT ?, ? + 2 * g - 1 + s, CASE s WHEN 0 THEN 'HOLD' ELSE 'SETTLE' END, ?, ?, 'PACK', "
          + holdId + ", CASE s WHEN 0 THEN 'seed-h' ELSE 'seed-s' END || g, ?, '{}'::jsonb"
          + " FROM generate_series(1, ?) g CROSS JOIN generate_series(0, 1) s", account, base, amount, lot, time,
          pairs);
      exec(c, "INSERT INTO " + idempotency + " (account, idem_key, operation, fingerprint, result, at)"
          + " SELECT ?, CASE s WHEN 0 THEN 'seed-h' ELSE 'seed-s' END || g, CASE s WHEN 0 THEN 'hold' ELSE 'settle' END,"
          + " 'seeded', 'seeded', ? FROM generate_series(1, ?) g CROSS JOIN generate_series(0, 1) s", account, time,
          pairs);
      exec(c, "UPDATE " + accounts + " SET version = version + ?, last_sequence = last_sequence + ?,"
          + " settled = settled + ? WHERE id = ?", 2 * pairs, 2 * pairs, pairs * amount, account);
      if (exec(c, "UPDATE " + config.table("lots") + " SET remaining = remaining - ? WHERE account = ? AND lot_id = ?"
          + " AND remaining >= ?", pairs * amount, account, lot, pairs * amount) != 1) {
        throw new SQLException("account " + account + " has no lot " + lot + " with " + pairs * amount + " credits");
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
    try (var st = c.createStatement()) {
      st.execute("ANALYZE " + holds);
      st.execute("ANALYZE " + ledger);
      st.execute("ANALYZE " + idempotency);
    }
  }

  private static int exec(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      return ps.executeUpdate();
    }
  }
}
