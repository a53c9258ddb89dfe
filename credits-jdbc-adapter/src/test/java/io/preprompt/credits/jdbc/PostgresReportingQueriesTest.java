package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs the reporting queries of the adapter's README, exactly as written there, against data the
 * library wrote over two months, and checks their numbers.
 */
@DisplayName("the README's reporting queries on PostgreSQL")
class PostgresReportingQueriesTest {
  /** The test's "now": {@code now()} in a query means this time. */
  private static final Instant NOW = Instant.parse("2026-02-15T12:00:00Z");
  private static final Map<String, String> QUERIES = new LinkedHashMap<>();
  private static DataSource dataSource;
  private static String schema;
  private static int keys;

  @BeforeAll
  static void writeTwoMonthsOfUsage() throws IOException {
    Matcher m = Pattern.compile("<!-- report: (\\S+) -->\\s*```sql\\n(.*?)```", Pattern.DOTALL)
        .matcher(Files.readString(Path.of("README.md")));
    while (m.find()) {
      QUERIES.put(m.group(1), m.group(2).strip());
    }
    assertThat(QUERIES).as("the README's reporting queries").hasSize(5);

    dataSource = TestDataSource.pooled(PostgresServer.get().url());
    schema = "reports" + System.nanoTime() % 1_000_000;
    JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema(schema)
        .build();
    JdbcCreditStore.install(dataSource, config);
    MutableClock clock = new MutableClock(Instant.parse("2026-01-10T10:00:00Z"));
    CreditService credits = CreditService.builder().store(JdbcCreditStore.create(dataSource, config)).clock(clock)
        .build();
    AccountId ana = open(credits, "ana");
    AccountId ben = open(credits, "ben");
    AccountId cy = open(credits, "cy");

    // January: ana's signup grant and a pack, ben's pack; ana spends 30 free credits on the standard
    // model, ben 100 pack credits on pro, and leaves a hold of 40 that nobody ends.
    credits.grant(ana, LotSource.SIGNUP_GRANT, CreditAmount.of(200), null, key());
    credits.grant(ana, LotSource.PACK, CreditAmount.of(1_000), null, Map.of("pack", "boost_1000"), key());
    credits.grant(ben, LotSource.PACK, CreditAmount.of(500), null, Map.of("pack", "boost_500"), key());
    spend(credits, ana, "IMAGE", "standard", 50, 30);
    spend(credits, ben, "IMAGE", "pro", 100, 100);
    credits.hold(HoldRequest.of(ben, CreditAmount.of(40), key()).withMetadata("kind", "VIDEO_CLIP")
        .withMetadata("model", "pro"));

    // February: cy's monthly allowance; ana spends 300 on pro (170 free, then 130 of her pack), cy
    // 60 of the allowance on the standard model and holds 25 until tomorrow.
    clock.set(Instant.parse("2026-02-15T10:00:00Z"));
    credits.grant(cy, LotSource.MONTHLY_ALLOWANCE, CreditAmount.of(1_000), null, key());
    spend(credits, ana, "VIDEO_CLIP", "pro", 300, 300);
    spend(credits, cy, "VOICE_LINE", "standard", 80, 60);
    credits.hold(HoldRequest.of(cy, CreditAmount.of(25), key()).withTtl(Duration.ofDays(1))
        .withMetadata("kind", "MUSIC_CUE").withMetadata("model", "standard"));
  }

  private static AccountId open(CreditService credits, String name) {
    AccountId account = AccountId.of(name);
    credits.openAccount(account, key());
    return account;
  }

  private static void spend(CreditService credits, AccountId account, String kind, String model, long held,
      long cost) {
    Hold hold = credits.hold(HoldRequest.of(account, CreditAmount.of(held), key()).withMetadata("kind", kind)
        .withMetadata("model", model));
    credits.settle(account, hold.id(), CreditAmount.of(cost), key());
  }

  private static IdempotencyKey key() {
    return IdempotencyKey.of("k" + ++keys);
  }

  /** Runs a README query in the test's schema, {@code now()} being {@link #NOW}; rows of texts. */
  private static List<List<String>> run(String name, int columns) throws SQLException {
    String sql = QUERIES.get(name).replace("now()", "TIMESTAMPTZ '" + NOW + "'");
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      st.execute("SET search_path TO " + schema);
      List<List<String>> rows = new ArrayList<>();
      try (ResultSet rs = st.executeQuery(sql)) {
        while (rs.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= columns; i++) {
            row.add(rs.getString(i));
          }
          rows.add(row);
        }
      } finally {
        st.execute("RESET search_path");
      }
      return rows;
    }
  }

  @Test
  @DisplayName("credits spent per model per month")
  void spendPerModel() throws SQLException {
    assertThat(run("spend-per-model", 3)).containsExactly(
        List.of("2026-01", "pro", "100"), List.of("2026-01", "standard", "30"),
        List.of("2026-02", "pro", "300"), List.of("2026-02", "standard", "60"));
  }

  @Test
  @DisplayName("top accounts by spend")
  void topAccounts() throws SQLException {
    assertThat(run("top-accounts", 2)).containsExactly(List.of("ana", "330"), List.of("ben", "100"),
        List.of("cy", "60"));
  }

  @Test
  @DisplayName("holds open longer than their deadline")
  void overdueHolds() throws SQLException {
    List<List<String>> rows = run("overdue-holds", 6);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get(0)).isEqualTo("ben");
    assertThat(rows.get(0).get(2)).isEqualTo("40");
    assertThat(rows.get(0).get(3)).isEqualTo("2026-01-10 10:15:00+00");
    assertThat(rows.get(0).get(4)).isEqualTo("36 days 01:45:00");
    assertThat(rows.get(0).get(5)).isEqualTo("pro");
  }

  @Test
  @DisplayName("pack revenue in credits per month and pack")
  void packRevenue() throws SQLException {
    assertThat(run("pack-revenue", 4)).containsExactly(List.of("2026-01", "boost_1000", "1", "1000"),
        List.of("2026-01", "boost_500", "1", "500"));
  }

  @Test
  @DisplayName("free versus paid credits consumed")
  void freeVersusPaid() throws SQLException {
    assertThat(run("free-vs-paid", 2)).containsExactly(List.of("free", "200"), List.of("paid", "290"));
  }
}
