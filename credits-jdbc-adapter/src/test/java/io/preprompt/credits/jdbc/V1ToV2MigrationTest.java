package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.Credits;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * A V1 database, filled by the V1 code path and recorded ({@link MigrationFixture}), migrated to V2
 * in place, then to V3 (debt and overage columns): balances, lots, holds, the ledger, plans and the answers of replayed keyed calls are
 * identical afterwards, on PostgreSQL and on H2.
 */
@DisplayName("V1 to V2 migration")
class V1ToV2MigrationTest {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  @Test
  @DisplayName("PostgreSQL: a V1 database reads and replays exactly as before after V2")
  void postgresql() throws Exception {
    DataSource ds = TestDataSource.pooled(PostgresServer.get().url());
    JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL)
        .schema("v1mig" + SCHEMAS.incrementAndGet()).build();
    migrateAndCompare(ds, config, (c, table, columns, rows) -> {
      StringBuilder copy = new StringBuilder();
      for (String row : rows) {
        copy.append(row).append('\n');
      }
      c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " (" + columns + ") FROM STDIN",
          new StringReader(copy.toString()));
    });
  }

  @Test
  @DisplayName("H2: a V1 database reads and replays exactly as before after V2")
  void h2() throws Exception {
    DataSource ds = TestDataSource.pooled("jdbc:h2:mem:v1mig" + SCHEMAS.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);
    migrateAndCompare(ds, config, (c, table, columns, rows) -> {
      int n = columns.split(",").length;
      String marks = String.join(", ", java.util.Collections.nCopies(n, "?"));
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + columns + ") VALUES (" + marks
          + ")")) {
        for (String row : rows) {
          String[] values = row.split("\t", -1);
          for (int i = 0; i < n; i++) {
            ps.setString(i + 1, copyValue(values[i]));
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
    });
  }

  /** Loads one table's recorded rows (COPY text format) into a V1 database. */
  @FunctionalInterface
  private interface Loader {
    void load(Connection c, String table, String columns, List<String> rows) throws SQLException, IOException;
  }

  private static void migrateAndCompare(DataSource ds, JdbcStoreConfig config, Loader loader) throws Exception {
    try (Connection c = ds.getConnection()) {
      assertThat(SchemaInstaller.install(c, config, 1)).isEqualTo(1);
      c.setAutoCommit(false);
      for (Block block : blocks(resource("migration/v1-postgresql-rows.sql"))) {
        if (!block.table().equals("credits_schema_version")) {
          loader.load(c, config.table(block.table().substring("credits_".length())), block.columns(), block.rows());
        }
      }
      c.commit();
      c.setAutoCommit(true);
      assertThat(count(c, "SELECT COUNT(*) FROM " + config.table("ledger"))).isEqualTo(26);
    }

    try (Connection c = ds.getConnection()) {
      assertThat(SchemaInstaller.install(c, config, 2)).isEqualTo(2);
    }
    // The later migrations over the V2 layout with its rows: the debt and policy columns (V3) take
    // their defaults (no debt, no policy).
    assertThat(JdbcCreditStore.install(ds, config)).isEqualTo(SchemaInstaller.LATEST);
    try (Connection c = ds.getConnection()) {
      assertThat(count(c, "SELECT COUNT(*) FROM " + config.table("accounts")
          + " WHERE debt = 0 AND overage_mode IS NULL AND overage_max_debt = 0"))
          .isEqualTo(count(c, "SELECT COUNT(*) FROM " + config.table("accounts"))).isPositive();
    }

    String expected = resource("migration/v1-expected.txt");
    Map<String, HoldId> holds = new LinkedHashMap<>();
    StringBuilder rest = new StringBuilder();
    for (String line : expected.split("\n", -1)) {
      if (line.startsWith("holdid ")) {
        String[] parts = line.split(" ");
        holds.put(parts[1], HoldId.of(parts[2]));
      } else {
        rest.append(line).append('\n');
      }
    }
    MutableClock clock = new MutableClock(MigrationFixture.END);
    JdbcCreditStore store = JdbcCreditStore.create(ds, config);
    Credits credits = MigrationFixture.credits(store, clock, new RecordingBillingGateway());
    MigrationFixture fixture = MigrationFixture.recorded(holds);
    StringBuilder actual = new StringBuilder(fixture.render(credits, store)).append("-- replays\n");
    for (String line : fixture.replays(credits)) {
      actual.append(line).append('\n');
    }
    assertThat(actual.append('\n').toString()).isEqualTo(rest.toString());
    for (String account : MigrationFixture.ACCOUNTS) {
      assertThat(credits.credits().reconcile(io.preprompt.credits.core.AccountId.of(account)).consistent())
          .as(account).isTrue();
    }
    // The converted columns are plain SQL values.
    try (Connection c = ds.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT kind, model FROM " + config.table("ledger")
            + " WHERE account = 'alice' AND sequence = 4")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("image");
      assertThat(rs.getString(2)).isEqualTo("standard");
    }
  }

  private record Block(String table, String columns, List<String> rows) {}

  /** The COPY blocks of the recorded dump. */
  private static List<Block> blocks(String dump) {
    List<Block> out = new ArrayList<>();
    Block current = null;
    for (String line : dump.split("\n", -1)) {
      if (line.startsWith("COPY ")) {
        String table = line.substring(line.indexOf('.') + 1, line.indexOf(' ', line.indexOf('.')));
        String columns = line.substring(line.indexOf('(') + 1, line.indexOf(')'));
        current = new Block(table, columns, new ArrayList<>());
        out.add(current);
      } else if (line.equals("\\.")) {
        current = null;
      } else if (current != null) {
        current.rows().add(line);
      }
    }
    return out;
  }

  /** A value in COPY's text format: {@code \N} is NULL; backslash escapes. */
  private static String copyValue(String text) {
    if (text.equals("\\N")) {
      return null;
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch != '\\' || i + 1 == text.length()) {
        out.append(ch);
        continue;
      }
      char e = text.charAt(++i);
      out.append(switch (e) {
        case 'n' -> '\n';
        case 'r' -> '\r';
        case 't' -> '\t';
        default -> e;
      });
    }
    return out.toString();
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String resource(String path) {
    try (InputStream in = V1ToV2MigrationTest.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
