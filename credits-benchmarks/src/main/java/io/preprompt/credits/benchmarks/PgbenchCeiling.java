package io.preprompt.credits.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The server's ceiling for one-row updates, measured with {@code pgbench} in the same run as the
 * pairs: each client updates its own row of a small table ({@code WHERE id = :client_id}), one
 * statement per transaction, prepared ({@code -M prepared}). A hold+settle pair commits twice, so
 * the ceiling in pairs/s is half the transactions per second.
 */
final class PgbenchCeiling {
  private static final Pattern TPS = Pattern.compile("^tps = ([0-9.]+)", Pattern.MULTILINE);
  private static final int ROWS = 64;

  private PgbenchCeiling() {}

  /**
   * Runs pgbench against the database of a JDBC URL of the form
   * {@code jdbc:postgresql://host:port/database?user=name}.
   *
   * @param jdbcUrl the server and database
   * @param clients concurrent clients ({@code -c}); at most 64
   * @param seconds duration ({@code -T}), at least 1
   * @param work a folder for the script and pgbench's output
   * @return transactions per second (without initial connection time)
   * @throws IllegalStateException when pgbench is missing or fails
   */
  static double tps(String jdbcUrl, int clients, int seconds, Path work) {
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    String database = uri.getPath().substring(1);
    String user = uri.getQuery() == null ? "postgres" : uri.getQuery().replaceAll(".*user=([^&]+).*", "$1");
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS ceiling_rows (id INT PRIMARY KEY, n BIGINT NOT NULL)");
      st.execute("INSERT INTO ceiling_rows SELECT g, 0 FROM generate_series(0, " + (ROWS - 1) + ") g"
          + " ON CONFLICT DO NOTHING");
      st.execute("VACUUM ANALYZE ceiling_rows");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prepare the ceiling's table: " + e, e);
    }
    try {
      Files.createDirectories(work);
      Path script = work.resolve("ceiling.sql");
      Files.writeString(script, "UPDATE ceiling_rows SET n = n + 1 WHERE id = :client_id;\n", StandardCharsets.UTF_8);
      Path out = work.resolve("pgbench-" + clients + "c.out");
      List<String> command = List.of(pgbench().toString(), "-n", "-M", "prepared", "-c", Integer.toString(clients),
          "-j", Integer.toString(Math.min(2, clients)), "-T", Integer.toString(seconds), "-f", script.toString(),
          "-h", uri.getHost(), "-p", Integer.toString(uri.getPort()), "-U", user, database);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("pgbench timed out: " + command);
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      Matcher m = TPS.matcher(text);
      if (p.exitValue() != 0 || !m.find()) {
        throw new IllegalStateException("pgbench failed (exit " + p.exitValue() + "): " + command + "\n" + text);
      }
      return Double.parseDouble(m.group(1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("pgbench interrupted", e);
    }
  }

  /** The newest PostgreSQL's pgbench, from the binaries the servers run on. */
  private static Path pgbench() throws IOException {
    Path root = Paths.get("/usr/lib/postgresql");
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        versions.map(v -> v.resolve("bin/pgbench")).filter(Files::isExecutable).forEach(found::add);
      }
    }
    return found.stream().max(Comparator.comparingInt(PgbenchCeiling::major))
        .orElseThrow(() -> new IllegalStateException("no pgbench under " + root
            + "/<version>/bin: install the postgresql package (apt-get install -y postgresql)"));
  }

  private static int major(Path pgbench) {
    try {
      return Integer.parseInt(pgbench.getParent().getParent().getFileName().toString().replaceAll("[^0-9].*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
