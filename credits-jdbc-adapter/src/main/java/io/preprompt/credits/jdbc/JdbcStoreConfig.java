package io.preprompt.credits.jdbc;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of a {@link JdbcCreditStore}: the SQL dialect, the schema that holds the tables
 * and the prefix of their names.
 *
 * <p>Schema and prefix become part of SQL text (identifiers cannot be bind parameters), so both are
 * checked against {@value #IDENTIFIER_PATTERN} when set: lower-case ASCII letters, digits and
 * underscores, starting with a letter or underscore, at most 31 characters. Every value the store
 * writes or compares goes through bind parameters.
 *
 * <pre>{@code
 * JdbcStoreConfig config = JdbcStoreConfig.builder()
 *     .dialect(JdbcStoreConfig.Dialect.POSTGRESQL)
 *     .schema("billing")
 *     .tablePrefix("credits_")
 *     .build();
 * }</pre>
 */
public final class JdbcStoreConfig {

  /** The pattern schema names and table prefixes must match. */
  public static final String IDENTIFIER_PATTERN = "[a-z_][a-z0-9_]{0,30}";

  /** The default table prefix. */
  public static final String DEFAULT_TABLE_PREFIX = "credits_";

  private static final Pattern IDENTIFIER = Pattern.compile(IDENTIFIER_PATTERN);

  /** The SQL dialects the store speaks. */
  public enum Dialect {
    /**
     * PostgreSQL 12 or later (and PostgreSQL-compatible engines): partial indexes, and the hold
     * sweep claims rows with {@code FOR UPDATE SKIP LOCKED}.
     */
    POSTGRESQL("postgresql"),
    /** H2 2.x, the embedded default for tests and single-process hosts. */
    H2("h2");

    private final String folder;

    Dialect(String folder) {
      this.folder = folder;
    }

    /**
     * Returns the class-path folder of this dialect's migrations, for a host's Flyway
     * {@code locations} setting.
     *
     * @return for example {@code db/credits/postgresql}
     */
    public String migrationLocation() {
      return "db/credits/" + folder;
    }
  }

  private final Dialect dialect;
  private final @Nullable String schema;
  private final String tablePrefix;
  private final int groupCommitWriters;

  /** How many batches a store writes at once by default (see {@link Builder#groupCommitWriters}). */
  public static final int DEFAULT_GROUP_COMMIT_WRITERS = 2;

  private JdbcStoreConfig(Builder builder) {
    this.dialect = builder.dialect;
    this.schema = builder.schema;
    this.tablePrefix = builder.tablePrefix;
    this.groupCommitWriters = builder.groupCommitWriters;
  }

  /**
   * Returns the defaults for a dialect: no schema (the connection's current one) and the
   * {@value #DEFAULT_TABLE_PREFIX} prefix.
   *
   * @param dialect the dialect
   * @return the configuration
   */
  public static JdbcStoreConfig of(Dialect dialect) {
    return builder().dialect(dialect).build();
  }

  /**
   * Starts a builder with the defaults: PostgreSQL, no schema, prefix {@value #DEFAULT_TABLE_PREFIX}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the dialect.
   *
   * @return the dialect
   */
  public Dialect dialect() {
    return dialect;
  }

  /**
   * Returns the schema holding the tables.
   *
   * @return the schema, empty to use the connection's current schema
   */
  public Optional<String> schema() {
    return Optional.ofNullable(schema);
  }

  /**
   * Returns the prefix of every table name.
   *
   * @return the prefix, possibly empty
   */
  public String tablePrefix() {
    return tablePrefix;
  }

  /**
   * Returns how many group commits a store that runs its own transactions writes at once; 0 when
   * group commit is off. See {@link Builder#groupCommitWriters}.
   *
   * @return the number of batches written at once, 0 for none
   */
  public int groupCommitWriters() {
    return groupCommitWriters;
  }

  /**
   * Tells whether concurrent commits share transactions: on PostgreSQL, for a store that runs its
   * own transactions ({@link JdbcCreditStore#create}), unless turned off.
   *
   * @return whether group commit is on for this configuration
   */
  public boolean groupCommit() {
    return groupCommitWriters > 0 && dialect == Dialect.POSTGRESQL;
  }

  /**
   * Returns the qualified name of one of the store's tables.
   *
   * @param table the unprefixed table name ({@code accounts}, {@code holds}, ...)
   * @return {@code schema.prefix_table} or {@code prefix_table}
   */
  String table(String table) {
    return (schema == null ? "" : schema + ".") + tablePrefix + table;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof JdbcStoreConfig other && dialect == other.dialect && Objects.equals(schema, other.schema)
        && tablePrefix.equals(other.tablePrefix) && groupCommitWriters == other.groupCommitWriters;
  }

  @Override
  public int hashCode() {
    return Objects.hash(dialect, schema, tablePrefix, groupCommitWriters);
  }

  @Override
  public String toString() {
    return "JdbcStoreConfig[dialect=" + dialect + ", schema=" + schema + ", tablePrefix=" + tablePrefix
        + ", groupCommitWriters=" + groupCommitWriters + "]";
  }

  /** Builds a {@link JdbcStoreConfig}; each setter checks its value at once. */
  public static final class Builder {
    private Dialect dialect = Dialect.POSTGRESQL;
    private @Nullable String schema;
    private String tablePrefix = DEFAULT_TABLE_PREFIX;
    private int groupCommitWriters = DEFAULT_GROUP_COMMIT_WRITERS;

    private Builder() {}

    /**
     * Sets the dialect.
     *
     * @param dialect the dialect
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when null
     */
    public Builder dialect(Dialect dialect) {
      if (dialect == null) {
        throw bad("dialect must not be null");
      }
      this.dialect = dialect;
      return this;
    }

    /**
     * Sets the schema that holds the tables; {@code null} uses the connection's current schema.
     *
     * @param schema the schema name, matching {@value #IDENTIFIER_PATTERN}, or null
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when the name does
     *     not match the pattern
     */
    public Builder schema(@Nullable String schema) {
      if (schema != null && !IDENTIFIER.matcher(schema).matches()) {
        throw bad("schema must match " + IDENTIFIER_PATTERN + ", was " + quote(schema));
      }
      this.schema = schema;
      return this;
    }

    /**
     * Sets the prefix of every table name.
     *
     * @param tablePrefix the prefix: empty, or matching {@value #IDENTIFIER_PATTERN}
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when null or not
     *     matching the pattern
     */
    public Builder tablePrefix(String tablePrefix) {
      if (tablePrefix == null || (!tablePrefix.isEmpty() && !IDENTIFIER.matcher(tablePrefix).matches())) {
        throw bad("table prefix must be empty or match " + IDENTIFIER_PATTERN + ", was "
            + (tablePrefix == null ? "null" : quote(tablePrefix)));
      }
      this.tablePrefix = tablePrefix;
      return this;
    }

    /**
     * Turns group commit on (the default, with {@value #DEFAULT_GROUP_COMMIT_WRITERS} writers) or off.
     *
     * @param on whether concurrent commits may share transactions
     * @return this builder
     * @see #groupCommitWriters(int)
     */
    public Builder groupCommit(boolean on) {
      this.groupCommitWriters = on ? DEFAULT_GROUP_COMMIT_WRITERS : 0;
      return this;
    }

    /**
     * Sets how many group commits a store writes at once, 0 to turn group commit off.
     *
     * <p>With group commit, concurrent commits on different accounts of a store that runs its own
     * transactions ({@link JdbcCreditStore#create}) on PostgreSQL share one transaction: one round
     * trip and one WAL flush for all of them. Each caller is answered only once its batch committed;
     * a change the batch cannot take (a stale version, a key taken meanwhile) makes every change of
     * the batch commit alone, once. A caller with nobody to share with commits alone at once, so one
     * thread pays nothing for it. Stores inside the host's transaction
     * ({@link JdbcCreditStore#inHostTransaction}) and H2 never batch. Each batch being written holds
     * one pooled connection.
     *
     * @param writers how many batches may be written at once (each on its own connection), 0 for
     *     none; at most 64
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when negative or
     *     above 64
     */
    public Builder groupCommitWriters(int writers) {
      if (writers < 0 || writers > 64) {
        throw bad("group commit writers must be 0 to 64, was " + writers);
      }
      this.groupCommitWriters = writers;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     */
    public JdbcStoreConfig build() {
      return new JdbcStoreConfig(this);
    }

    private static InvalidRequestException bad(String message) {
      return new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, message);
    }

    private static String quote(String s) {
      return s.length() > 40 ? "'" + s.substring(0, 40) + "...' (" + s.length() + " chars)" : "'" + s + "'";
    }
  }
}
