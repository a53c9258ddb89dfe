package io.preprompt.credits.jdbc;

import io.preprompt.credits.Credits;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes the V1 fixture of the migration test: runs {@link MigrationFixture#fill} through the V1
 * store, dumps its rows with {@code pg_dump} and records what a host observes. Run from the adapter's
 * test classpath with the output folder as argument.
 */
public final class MigrationFixtureGenerator {
  private MigrationFixtureGenerator() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    PostgresServer server = PostgresServer.get();
    TestDataSource ds = TestDataSource.pooled(server.url());
    JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema("mig").build();
    JdbcCreditStore.install(ds, config);
    MutableClock clock = new MutableClock(MigrationFixture.START);
    RecordingBillingGateway gateway = new RecordingBillingGateway();
    JdbcCreditStore store = JdbcCreditStore.create(ds, config);
    Credits credits = MigrationFixture.credits(store, clock, gateway);
    MigrationFixture fixture = MigrationFixture.fill(credits, clock, gateway);
    String url = server.url();
    String port = url.replaceAll(".*:(\\d+)/.*", "$1");
    Process dump = new ProcessBuilder(List.of(pgDump(), "-h", "127.0.0.1", "-p", port, "-U", "postgres",
        "--data-only", "--no-owner", "--no-privileges", "--schema=mig", "credits"))
        .redirectErrorStream(true).start();
    String sql = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (dump.waitFor() != 0) {
      throw new IOException("pg_dump failed: " + sql);
    }
    // The COPY blocks only (text format: newlines and tabs in values are escaped), with the schema
    // left for the test to fill in.
    StringBuilder rows = new StringBuilder();
    boolean inCopy = false;
    for (String line : sql.split("\n", -1)) {
      if (line.startsWith("COPY mig.")) {
        inCopy = true;
        line = line.replace("COPY mig.", "COPY ${credits_schema}.");
      }
      if (inCopy) {
        rows.append(line).append('\n');
        inCopy = !line.equals("\\.");
      }
    }
    Files.writeString(out.resolve("v1-postgresql-rows.sql"), rows.toString());
    StringBuilder expected = new StringBuilder();
    for (Map.Entry<String, io.preprompt.credits.core.HoldId> h : fixture.holds.entrySet()) {
      expected.append("holdid ").append(h.getKey()).append(' ').append(h.getValue().value()).append('\n');
    }
    expected.append(fixture.render(credits, store));
    expected.append("-- replays\n");
    for (String line : fixture.replays(credits)) {
      expected.append(line).append('\n');
    }
    Files.writeString(out.resolve("v1-expected.txt"), expected.toString());
    System.exit(0);
  }

  private static String pgDump() throws IOException {
    try (var dirs = Files.list(Path.of("/usr/lib/postgresql"))) {
      return dirs.map(d -> d.resolve("bin/pg_dump")).filter(Files::isExecutable).findFirst()
          .orElseThrow(() -> new IOException("no pg_dump under /usr/lib/postgresql")).toString();
    }
  }
}
