package io.preprompt.credits.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.benchmarks.BenchmarkSuite.Group;
import io.preprompt.credits.benchmarks.BenchmarkSuite.Row;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's check of the benchmarks: every benchmark of every group runs once (no fork, no warm-up, one
 * 200 ms iteration, the short histories only) and yields a positive score, and the reports are
 * written. It measures nothing; {@code run-benchmarks.sh} does.
 */
class BenchmarkSmokeTest {

  @Test
  @DisplayName("one short iteration of every benchmark yields a result, and the reports are written")
  void smokeRun(@TempDir Path out) throws Exception {
    // JMH takes a machine-wide lock so that two measurements never share the CPU; a smoke run
    // measures nothing, so a benchmark running elsewhere on the machine must not fail the build.
    System.setProperty("jmh.ignoreLock", "true");
    List<Row> rows = BenchmarkSuite.run(out, true, List.of());

    List<Group> groups = BenchmarkSuite.groups(true);
    assertThat(rows.stream().map(Row::group).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(groups.stream().map(Group::id).toList());
    Set<String> benchmarks = rows.stream().map(Row::benchmark).collect(Collectors.toSet());
    assertThat(benchmarks).containsExactlyInAnyOrder("pair", "baselinePair", "gatePair", "baselineGatePair",
        "balance", "baselineBalance", "adapterPair", "sqlPair");
    assertThat(rows).allSatisfy(r -> assertThat(r.score()).as(r.toString()).isPositive());
    assertThat(rows.stream().filter(r -> r.group().startsWith("memory-")))
        .allSatisfy(r -> assertThat(r.allocPerOp()).as("bytes per op of " + r).isPositive());
    assertThat(rows.stream().filter(r -> r.group().startsWith("growth-")).map(Row::params))
        .containsExactlyInAnyOrder("history=10-entries,store=MEMORY", "history=1k-active-holds,store=MEMORY",
            "history=10-entries,store=POSTGRESQL", "history=1k-active-holds,store=POSTGRESQL");

    for (Group g : groups) {
      assertThat(out.resolve(g.id() + ".json")).isNotEmptyFile();
    }
    assertThat(Files.readString(out.resolve("summary.json"), StandardCharsets.UTF_8)).contains("\"adapterPair\"");
    assertThat(Files.readString(out.resolve("table.md"), StandardCharsets.UTF_8))
        .contains("PostgreSQL hold+settle pair", "H2 (embedded) hold+settle pair", "In-memory gate", "| Target |");
  }
}
