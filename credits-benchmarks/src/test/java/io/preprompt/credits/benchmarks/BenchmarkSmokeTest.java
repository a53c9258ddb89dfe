package io.preprompt.credits.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.benchmarks.BenchmarkSuite.Alternation;
import io.preprompt.credits.benchmarks.BenchmarkSuite.Group;
import io.preprompt.credits.benchmarks.BenchmarkSuite.Load;
import io.preprompt.credits.benchmarks.BenchmarkSuite.Results;
import io.preprompt.credits.benchmarks.BenchmarkSuite.Row;
import io.preprompt.credits.jdbc.BenchmarkDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's check of the benchmarks: every benchmark of every group runs once (no fork, no warm-up, one
 * 200 ms iteration, 1 s for the alternating groups, the short histories only, a 1 s pgbench
 * ceiling) and yields a positive score, the alternating groups see both sides, and the reports are
 * written. It measures nothing;
 * {@code run-benchmarks.sh} does. The competent baseline's guards are checked here too: a baseline
 * that skipped one would be fast for the wrong reason.
 */
class BenchmarkSmokeTest {

  @Test
  @DisplayName("one short iteration of every benchmark yields a result, and the reports are written")
  void smokeRun(@TempDir Path out) throws Exception {
    // JMH takes a machine-wide lock so that two measurements never share the CPU; a smoke run
    // measures nothing, so a benchmark running elsewhere on the machine must not fail the build.
    System.setProperty("jmh.ignoreLock", "true");
    Results results = BenchmarkSuite.run(out, true, List.of());
    List<Row> rows = results.rows();

    List<Group> groups = BenchmarkSuite.groups(true);
    assertThat(rows.stream().map(Row::group).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(groups.stream().map(Group::id).toList());
    Set<String> benchmarks = rows.stream().map(Row::benchmark).collect(Collectors.toSet());
    assertThat(benchmarks).containsExactlyInAnyOrder("pair", "baselinePair", "gatePair", "baselineGatePair",
        "balance", "baselineBalance", "alternatingPair");
    assertThat(rows).allSatisfy(r -> assertThat(r.score()).as(r.toString()).isPositive());
    assertThat(rows.stream().filter(r -> r.group().startsWith("memory-")))
        .allSatisfy(r -> assertThat(r.allocPerOp()).as("bytes per op of " + r).isPositive());
    assertThat(rows.stream().filter(r -> r.group().startsWith("growth-")).map(Row::params))
        .containsExactlyInAnyOrder("history=10-entries,store=MEMORY", "history=1k-active-holds,store=MEMORY",
            "history=10-entries,store=POSTGRESQL", "history=1k-active-holds,store=POSTGRESQL",
            "history=1k-accounts,store=POSTGRESQL");

    assertThat(results.alternations()).extracting(Alternation::group).containsExactlyInAnyOrderElementsOf(
        groups.stream().filter(Group::alternating).map(Group::id).toList());
    assertThat(results.alternations()).allSatisfy(a -> {
      assertThat(a.library()).as("library pairs/s of " + a.group()).isNotEmpty();
      assertThat(Arrays.stream(a.library()).min().orElseThrow()).as("library pairs/s of " + a.group()).isPositive();
      assertThat(a.baseline()).as("baseline pairs/s of " + a.group()).isNotEmpty();
      assertThat(Arrays.stream(a.baseline()).min().orElseThrow()).as("baseline pairs/s of " + a.group()).isPositive();
      assertThat(a.latencyMicros("library.count")).as("library holds timed in " + a.group()).isPositive();
      assertThat(a.latencyMicros("baseline.count")).as("baseline holds timed in " + a.group()).isPositive();
      assertThat(a.latencyMicros("library.p99Micros")).isGreaterThanOrEqualTo(a.latencyMicros("library.p50Micros"));
      if (a.durable()) {
        assertThat(a.ceilingTps()).as("pgbench before and after " + a.group()).hasSize(2);
        assertThat(Arrays.stream(a.ceilingTps()).min().orElseThrow()).as("pgbench tps").isPositive();
      } else {
        assertThat(a.ceilingTps()).isEmpty();
      }
    });
    assertThat(results.loads()).extracting(Load::group)
        .containsExactlyElementsOf(groups.stream().map(Group::id).toList());

    for (Group g : groups) {
      assertThat(out.resolve(g.id() + ".json")).isNotEmptyFile();
    }
    assertThat(Files.readString(out.resolve("summary.json"), StandardCharsets.UTF_8))
        .contains("\"alternatingPair\"", "\"medianRatio\"", "\"ceilingTps\"", "\"targets\"");
    assertThat(Files.readString(out.resolve("table.md"), StandardCharsets.UTF_8))
        .contains("| Target |", "16 threads: library ≥ 3.0× the baseline", "p99 latency of a hold",
            "1,000 active holds", "no durability (fsync off)", "In-memory gate", "Machine load during the run",
            " tps (");
  }

  @Nested
  @DisplayName("the competent hand-written SQL")
  class Baseline {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private FixedPool pool;
    private String schema;
    private CompetentSql sql;

    @BeforeEach
    void start() throws SQLException {
      pool = new FixedPool(BenchmarkDatabases.postgresUrl(), 2);
      schema = "competent_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
      try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
        st.execute("CREATE SCHEMA " + schema);
      }
      CompetentSql.createTables(pool, schema + ".");
      sql = new CompetentSql(pool, schema + ".", InstantSource.system());
    }

    @AfterEach
    void stop() throws SQLException {
      try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA " + schema + " CASCADE");
      }
      pool.close();
    }

    @Test
    @DisplayName("balances add up after pairs, with a ledger row and an idempotency row per call")
    void pairs_addUp() throws SQLException {
      sql.open("a", 100);
      for (int i = 0; i < 10; i++) {
        String hold = sql.hold("a", 5, "h" + i);
        assertThat(sql.settle("a", hold, "s" + i)).isEqualTo(5);
      }
      assertThat(account("a")).containsExactly(50, 0, 50, 20);
      assertThat(count("base_ledger")).isEqualTo(20);
      assertThat(count("base_idempotency")).isEqualTo(20);
      assertThat(query("SELECT count(*) FROM " + schema + ".base_holds WHERE state = 'SETTLED'")).isEqualTo(10);
      assertThat(query("SELECT sum(CASE type WHEN 'HOLD' THEN amount ELSE 0 END) FROM " + schema + ".base_ledger"))
          .isEqualTo(50);
      assertThat(query("SELECT max(sequence) FROM " + schema + ".base_ledger")).isEqualTo(20);
    }

    @Test
    @DisplayName("a hold beyond the available credits is refused and writes nothing")
    void hold_insufficient_refused() throws SQLException {
      sql.open("a", 7);
      sql.hold("a", 5, "h1");
      assertThatThrownBy(() -> sql.hold("a", 5, "h2")).isInstanceOfSatisfying(CompetentSql.Refused.class,
          e -> assertThat(e.reason()).isEqualTo(CompetentSql.Refused.Reason.INSUFFICIENT_CREDITS));
      assertThat(account("a")).containsExactly(2, 5, 0, 1);
      assertThat(count("base_holds")).isEqualTo(1);
      assertThat(count("base_ledger")).isEqualTo(1);
      assertThat(count("base_idempotency")).isEqualTo(1);
    }

    @Test
    @DisplayName("a second settle of a hold is refused; the first one's key replays its result")
    void settle_twice_refused() throws SQLException {
      sql.open("a", 100);
      String hold = sql.hold("a", 5, "h1");
      sql.settle("a", hold, "s1");
      assertThatThrownBy(() -> sql.settle("a", hold, "s2")).isInstanceOfSatisfying(CompetentSql.Refused.class,
          e -> assertThat(e.reason()).isEqualTo(CompetentSql.Refused.Reason.HOLD_NOT_OPEN));
      assertThat(sql.settle("a", hold, "s1")).isEqualTo(5);
      assertThat(account("a")).containsExactly(95, 0, 5, 2);
      assertThat(count("base_ledger")).isEqualTo(2);
      assertThat(count("base_idempotency")).isEqualTo(2);
    }

    @Test
    @DisplayName("a hold's key used again returns the first hold and writes nothing")
    void hold_replayed() throws SQLException {
      sql.open("a", 100);
      String first = sql.hold("a", 5, "h1");
      assertThat(sql.hold("a", 5, "h1")).isEqualTo(first);
      assertThat(account("a")).containsExactly(95, 5, 0, 1);
      assertThat(count("base_holds")).isEqualTo(1);
    }

    /** available, held, settled, last_sequence. */
    private long[] account(String id) throws SQLException {
      try (Connection c = pool.getConnection(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT available, held, settled, last_sequence FROM " + schema
              + ".base_accounts WHERE id = '" + id + "'")) {
        assertThat(rs.next()).isTrue();
        return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)};
      }
    }

    private long count(String table) throws SQLException {
      return query("SELECT count(*) FROM " + schema + "." + table);
    }

    private long query(String sqlText) throws SQLException {
      try (Connection c = pool.getConnection(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sqlText)) {
        assertThat(rs.next()).isTrue();
        return rs.getLong(1);
      }
    }
  }
}
