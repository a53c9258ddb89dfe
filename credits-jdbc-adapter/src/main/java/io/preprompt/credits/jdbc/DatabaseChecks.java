package io.preprompt.credits.jdbc;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StoreException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

/**
 * What the store and the installer check about the database they are given: that the configured
 * dialect is the database's, and, from a failure's SQL state, that the schema is installed.
 */
final class DatabaseChecks {

  /**
   * SQL states of a statement that names a table, schema or column the database does not have: the
   * schema was never installed, or is older than the library (a migration was not run). They come
   * from the database's own catalog, so they need no list of the store's tables.
   */
  private static final Set<String> SCHEMA_MISSING = Set.of(
      "42P01", // PostgreSQL undefined_table (also for a table in a schema that does not exist)
      "3F000", // PostgreSQL invalid_schema_name
      "42703", // PostgreSQL undefined_column
      "42S02", // H2 table or view not found
      "42S03", // H2 table or view not found, with candidates
      "42S04", // H2 table or view not found, the database is empty
      "90079", // H2 schema not found
      "42S22"); // H2 column not found

  private DatabaseChecks() {}

  /**
   * Refuses a database the configured dialect does not speak: the H2 dialect needs H2, and the
   * PostgreSQL dialect refuses H2. The PostgreSQL dialect accepts other products, since
   * PostgreSQL-compatible engines may report names of their own. Reads only the connection's
   * metadata, which the drivers answer without a round trip.
   *
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} naming both when the
   *     dialect does not match
   * @throws SQLException when the metadata cannot be read
   */
  static void requireDialect(Connection c, JdbcStoreConfig config) throws SQLException {
    DatabaseMetaData meta = c.getMetaData();
    String product = meta.getDatabaseProductName();
    boolean h2 = product != null && product.strip().toUpperCase(Locale.ROOT).equals("H2");
    JdbcStoreConfig.Dialect dialect = config.dialect();
    if (h2 == (dialect == JdbcStoreConfig.Dialect.H2)) {
      return;
    }
    String database = product + " " + meta.getDatabaseProductVersion();
    String fix = h2 ? "build the JdbcStoreConfig with JdbcStoreConfig.Dialect.H2"
        : product != null && product.toUpperCase(Locale.ROOT).contains("POSTGRES")
            ? "build the JdbcStoreConfig with JdbcStoreConfig.Dialect.POSTGRESQL"
            : "the store speaks PostgreSQL and H2 only";
    throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "the JDBC store is configured for the "
        + dialect + " dialect, but the database is " + database + " (DatabaseMetaData.getDatabaseProductName() '"
        + product + "'): " + fix);
  }

  /**
   * Returns a failure as the caller should see it: a {@link ErrorCode#SCHEMA_NOT_INSTALLED} naming
   * the installer and the migrations when its SQL state says a table, schema or column is missing,
   * else the failure itself. The outcome and the SQL state are kept.
   *
   * @param config the store's configuration, for the tables and migrations to name
   * @param failure what the store met
   * @return the failure to throw
   */
  static StoreException typed(JdbcStoreConfig config, StoreException failure) {
    String state = failure.sqlState().orElse(null);
    if (failure.code() != ErrorCode.STORE_FAILURE || state == null || !SCHEMA_MISSING.contains(state)) {
      return failure;
    }
    Throwable cause = failure.getCause() == null ? failure : failure.getCause();
    // The database's own first line, without the statement H2 appends.
    String reason = String.valueOf(cause.getMessage()).lines().findFirst().orElse("")
        .replaceFirst(";\\s*SQL statement:.*$", "").strip();
    return new StoreException(ErrorCode.SCHEMA_NOT_INSTALLED, "the credits schema is not installed, or is older"
        + " than this version of the library needs, for the tables " + config.table("") + "* (" + reason + ")."
        + " Install or upgrade it at startup with JdbcCreditStore.install(dataSource, config), or run the"
        + " migrations in " + config.dialect().migrationLocation() + " (in the credits-jdbc-adapter jar) with"
        + " your Flyway, as SchemaInstaller describes", state, failure.outcome(), cause);
  }
}
