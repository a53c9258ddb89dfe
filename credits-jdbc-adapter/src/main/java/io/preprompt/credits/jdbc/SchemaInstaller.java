package io.preprompt.credits.jdbc;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Installs or upgrades the store's schema, for hosts without a migration tool.
 *
 * <p>The schema ships as Flyway-style versioned migrations, one folder per dialect
 * ({@code db/credits/postgresql}, {@code db/credits/h2}): {@code V1__credits_schema.sql} creates the
 * first layout, {@code V2__sql_native_layout.sql} converts it in place to a layout plain SQL reads,
 * and each later one adds what a feature needs ({@code V3__overage_and_debt.sql}: the debt and the
 * account's own overage policy; {@code V4__automatic_top_up.sql}: the automatic top-up's columns). A
 * migration's version is the number in its name; versions may skip numbers, and the installer
 * applies, in order, every one it has not recorded (an older one missing below the newest recorded
 * included; each is idempotent or, for V2, runs only over the layout it converts).
 * They live outside Flyway's default {@code db/migration} so they never collide with a host's own
 * {@code V1}; a host using Flyway runs them as a separate history, for example:
 *
 * <pre>{@code
 * Flyway.configure().dataSource(dataSource)
 *     .locations("classpath:" + JdbcStoreConfig.Dialect.POSTGRESQL.migrationLocation())
 *     .table("credits_schema_history")
 *     .placeholders(Map.of("credits_schema", "public", "credits_prefix", "credits_"))
 *     .load().migrate();
 * }</pre>
 *
 * <p>This installer does the same without Flyway: it substitutes the placeholders from the
 * {@link JdbcStoreConfig}, creates the schema when one is configured, and applies, in one
 * transaction, the migrations not yet recorded in its own {@code <prefix>schema_version} table. V1's, V3's and V4's statements are idempotent ({@code IF NOT EXISTS}) and V2, which converts
 * the V1 layout in place, runs only over that layout, so running the installer over a schema Flyway
 * installed is harmless. On PostgreSQL concurrent installers are serialized by an advisory lock.
 */
public final class SchemaInstaller {

  /**
   * A migration script, and for a script that converts an older layout the column only that layout
   * has: over a schema another tool already converted (Flyway keeps its own history), the column is
   * gone and the script is recorded without running. A script without one is idempotent.
   *
   * @param script the file name in the dialect's folder
   * @param convertsTable the table whose column shows the older layout, or null
   * @param convertsColumn that column, or null
   */
  private record Migration(String script, @Nullable String convertsTable, @Nullable String convertsColumn) {
    /** The version the script's name carries ({@code V4__...} is 4). */
    int version() {
      return Integer.parseInt(script.substring(1, script.indexOf("__")));
    }

    boolean needed(Connection c, JdbcStoreConfig config) throws SQLException {
      return convertsTable == null || convertsColumn == null || hasColumn(c, config, convertsTable, convertsColumn);
    }
  }

  /** The migrations, in version order. */
  private static final List<Migration> MIGRATIONS = List.of(new Migration("V1__credits_schema.sql", null, null),
      new Migration("V2__sql_native_layout.sql", "accounts", "plan"),
      new Migration("V3__overage_and_debt.sql", null, null),
      new Migration("V4__automatic_top_up.sql", null, null));

  /** The newest schema version, the one this version of the library needs. */
  static final int LATEST = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

  private SchemaInstaller() {}

  /**
   * Installs or upgrades the schema using one connection from the data source.
   *
   * @param dataSource where to install
   * @param config the dialect, schema and table prefix
   * @return the schema version now installed
   * @throws StoreException when a statement fails; nothing of the failed upgrade is kept where the
   *     database has transactional DDL (PostgreSQL)
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when either is null,
   *     or when the dialect does not match the database (H2 configured on PostgreSQL, or the reverse)
   */
  public static int install(DataSource dataSource, JdbcStoreConfig config) {
    JdbcCreditStore.required(dataSource, "a data source");
    JdbcCreditStore.required(config, "a store config");
    try (Connection c = dataSource.getConnection()) {
      return install(c, config);
    } catch (SQLException e) {
      throw JdbcCreditStore.failure("schema installation", e);
    }
  }

  /**
   * Installs or upgrades the schema on a connection, as one transaction the installer commits; the
   * connection's auto-commit mode is restored afterwards.
   *
   * @param connection where to install
   * @param config the dialect, schema and table prefix
   * @return the schema version now installed
   * @throws StoreException when a statement fails; its outcome is
   *     {@link StoreException.Outcome#UNKNOWN} only when the {@code COMMIT} failed (installing again is
   *     harmless)
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when either is null,
   *     or when the dialect does not match the database (H2 configured on PostgreSQL, or the reverse)
   */
  public static int install(Connection connection, JdbcStoreConfig config) {
    return install(connection, config, LATEST);
  }

  /**
   * Installs or upgrades the schema up to a version, for tests of the migrations themselves.
   *
   * @param connection where to install
   * @param config the dialect, schema and table prefix
   * @param target the version to stop at
   * @return the schema version now installed
   */
  static int install(Connection connection, JdbcStoreConfig config, int target) {
    JdbcCreditStore.required(connection, "a connection");
    JdbcCreditStore.required(config, "a store config");
    boolean commitSent = false;
    try {
      DatabaseChecks.requireDialect(connection, config);
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        int version = migrate(connection, config, target);
        commitSent = true;
        connection.commit();
        return version;
      } catch (SQLException | RuntimeException e) {
        try {
          connection.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw JdbcCreditStore.failure("schema installation", e,
          commitSent ? StoreException.Outcome.UNKNOWN : StoreException.Outcome.NOT_APPLIED);
    }
  }

  /**
   * Returns the SQL of every migration for a configuration, placeholders substituted, for review
   * or for a host's own tooling.
   *
   * @param config the dialect, schema and table prefix
   * @return the statements, in order
   */
  public static List<String> statements(JdbcStoreConfig config) {
    List<String> out = new ArrayList<>();
    for (Migration migration : MIGRATIONS) {
      out.addAll(split(substitute(resource(config, migration.script()), config)));
    }
    return out;
  }

  private static int migrate(Connection c, JdbcStoreConfig config, int target) throws SQLException {
    String history = config.table("schema_version");
    try (Statement st = c.createStatement()) {
      if (config.dialect() == JdbcStoreConfig.Dialect.POSTGRESQL) {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          lock.setLong(1, 0x6372656469747300L ^ history.hashCode());
          lock.execute();
        }
      }
      if (config.schema().isPresent()) {
        st.execute("CREATE SCHEMA IF NOT EXISTS " + config.schema().get());
      }
      st.execute("CREATE TABLE IF NOT EXISTS " + history + " (version INT NOT NULL PRIMARY KEY,"
          + " script VARCHAR(200) NOT NULL, installed_at TIMESTAMP WITH TIME ZONE NOT NULL)");
    }
    Set<Integer> recorded = new HashSet<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT version FROM " + history)) {
      while (rs.next()) {
        recorded.add(rs.getInt(1));
      }
    }
    int installed = recorded.stream().mapToInt(Integer::intValue).max().orElse(0);
    for (Migration migration : MIGRATIONS) {
      // Every migration up to the target that is not recorded runs, in order, even one older than the
      // newest recorded: a database that got a later version without an earlier one gets it now.
      if (recorded.contains(migration.version()) || migration.version() > target) {
        continue;
      }
      if (migration.needed(c, config)) {
        try (Statement st = c.createStatement()) {
          for (String statement : split(substitute(resource(config, migration.script()), config))) {
            st.execute(statement);
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO " + history + " (version, script, installed_at) VALUES (?, ?, CURRENT_TIMESTAMP)")) {
        ps.setInt(1, migration.version());
        ps.setString(2, migration.script());
        ps.executeUpdate();
      }
      installed = Math.max(installed, migration.version());
    }
    return installed;
  }

  /** Whether a table of the store has a column, whatever case the database keeps names in. */
  private static boolean hasColumn(Connection c, JdbcStoreConfig config, String table, String column)
      throws SQLException {
    String schema = config.schema().orElse(null);
    String name = config.tablePrefix() + table;
    for (boolean upper : new boolean[] {false, true}) {
      try (ResultSet rs = c.getMetaData().getColumns(null, schema == null ? null : upper ? schema.toUpperCase(Locale.ROOT)
          : schema, upper ? name.toUpperCase(Locale.ROOT) : name, upper ? column.toUpperCase(Locale.ROOT) : column)) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  private static String resource(JdbcStoreConfig config, String migration) {
    String path = config.dialect().migrationLocation() + "/" + migration;
    try (InputStream in = SchemaInstaller.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("migration " + path + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read migration " + path, e);
    }
  }

  private static String substitute(String script, JdbcStoreConfig config) {
    String qualified = config.schema().map(s -> s + ".").orElse("");
    return script.replace("${credits_schema}.", qualified).replace("${credits_prefix}", config.tablePrefix());
  }

  /** Splits a script into statements: comment lines dropped, a statement ends with ';' at a line end. */
  private static List<String> split(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      if (trimmed.endsWith(";")) {
        current.append(trimmed, 0, trimmed.length() - 1);
        out.add(current.toString());
        current.setLength(0);
      } else {
        current.append(trimmed).append('\n');
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalStateException("migration script ends without ';'");
    }
    return out;
  }
}
