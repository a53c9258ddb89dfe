package io.preprompt.credits.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A throw-away PostgreSQL server for the tests, started from the machine's PostgreSQL binaries
 * ({@code /usr/lib/postgresql/<version>/bin}) on a free loopback port with its data in a temporary
 * folder; no Docker. The shared server ({@link #get()}) is started once per test JVM, used by every
 * test class, stopped and deleted at JVM exit. PostgreSQL refuses to run as root, so as root it runs
 * as the {@code postgres} user.
 *
 * <p>A test that abuses its server (pauses it, kills it) starts a {@linkplain #dedicated() dedicated}
 * one, so the shared server stays healthy for the others.
 *
 * <p>When the server cannot be started the tests fail with a message saying how to fix it; they are
 * never skipped.
 */
final class PostgresServer {
  private static final String FIX = "The JDBC adapter's tests need PostgreSQL server binaries (initdb, pg_ctl) under "
      + "/usr/lib/postgresql/<version>/bin. Install them with `apt-get install -y postgresql` (Debian/Ubuntu; the "
      + "CI script .ci/run does this), and when running as root make sure the `postgres` user exists.";

  private static final String DATABASE = "credits";
  private static volatile PostgresServer instance;

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final Path log;
  private final boolean root;
  private final int port;
  private final String options;

  private PostgresServer(Path bin, Path dir, boolean root, int port, String options) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.log = dir.resolve("server.log");
    this.root = root;
    this.port = port;
    this.options = options;
  }

  /**
   * Returns the shared server, starting it on first use.
   *
   * @return the running server
   * @throws IllegalStateException naming the fix when it cannot be started
   */
  static PostgresServer get() {
    PostgresServer server = instance;
    if (server == null) {
      synchronized (PostgresServer.class) {
        server = instance;
        if (server == null) {
          server = start(Durability.NONE);
          instance = server;
        }
      }
    }
    return server;
  }

  /** The JDBC URL of the test database. */
  String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?user=postgres";
  }

  /** The folder of the PostgreSQL binaries the server runs from ({@code psql} is there too). */
  Path binaries() {
    return bin;
  }

  /** The loopback port the server listens on. */
  int port() {
    return port;
  }

  /** Opens a new connection to the test database (auto-commit on). */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(url());
  }

  /**
   * Starts a server of the caller's own, which it may pause, kill and restart. Unlike the shared
   * server it commits synchronously: a {@code kill -9} of every server process must not lose an
   * acknowledged commit. ({@code fsync} stays off: the operating system, which holds the written WAL
   * in its page cache, survives a killed server.)
   *
   * @return the running server, stopped and deleted at JVM exit or by {@link #stop()}
   * @throws IllegalStateException naming the fix when it cannot be started
   */
  static PostgresServer dedicated() {
    return start(Durability.SYNCHRONOUS_COMMIT);
  }

  /**
   * Starts a server of the caller's own with production durability: {@code fsync},
   * {@code synchronous_commit} and {@code full_page_writes} on (PostgreSQL's defaults), every other
   * setting default but a generous {@code max_connections}. The benchmarks measure on it; the tests
   * do not need it.
   *
   * @return the running server, stopped and deleted at JVM exit or by {@link #stop()}
   * @throws IllegalStateException naming the fix when it cannot be started
   */
  static PostgresServer production() {
    return start(Durability.PRODUCTION);
  }

  /** How much of a commit reaches the disk before it is acknowledged. */
  private enum Durability {
    /** Nothing: the shared test server. */
    NONE("-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"),
    /** The WAL is written (not flushed) before the commit returns: survives a killed server. */
    SYNCHRONOUS_COMMIT("-c fsync=off -c synchronous_commit=on -c full_page_writes=off -c max_connections=100"),
    /** PostgreSQL's defaults: the WAL is flushed to disk before the commit returns. */
    PRODUCTION("-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=300");

    private final String options;

    Durability(String options) {
      this.options = options;
    }
  }

  private static PostgresServer start(Durability durability) {
    Path bin = findBinaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir;
    try {
      dir = Files.createTempDirectory("credits-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path data = dir.resolve("data");
    Path log = dir.resolve("server.log");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(bin, data, dir, root), "credits-pg-stop"));
    if (root) {
      run(List.of("chown", "postgres", dir.toString()), dir, "give the data folder to the postgres user", null);
    }
    run(as(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
        "-E", "UTF8", "--locale=C", "--no-sync"), dir, "initdb", null);
    int port = freePort();
    // Durability is irrelevant for a throw-away server: turning it off makes the tests fast.
    String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 " + durability.options;
    PostgresServer server = new PostgresServer(bin, dir, root, port, options);
    server.pgCtlStart();
    try (Connection c = DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres"); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL started on port " + port + " but cannot be used: " + e, e);
    }
    return server;
  }

  private void pgCtlStart() {
    run(as(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(), "-w", "-t", "60",
        "-o", options, "start"), dir, "pg_ctl start", log);
  }

  /**
   * Freezes the whole server with {@code SIGSTOP}: the postmaster and every backend stop where they
   * are, holding their sockets open, as a stalled machine would. Clients block until {@link #resume()}.
   *
   * @return how many processes were stopped
   */
  int pause() {
    List<Long> pids = serverProcesses();
    signal("STOP", pids);
    return pids.size();
  }

  /**
   * Lets a {@linkplain #pause() paused} server continue with {@code SIGCONT}.
   *
   * @return how many processes were continued
   */
  int resume() {
    List<Long> pids = serverProcesses();
    signal("CONT", pids);
    return pids.size();
  }

  /**
   * Kills the postmaster with {@code kill -9}, then every process it had left (as a crash of the
   * server would leave them: gone, with no shutdown), and waits until they are all gone. The data
   * folder, with its stale {@code postmaster.pid}, stays for {@link #restart()}.
   *
   * @return how many processes were killed
   */
  int crash() {
    List<Long> pids = serverProcesses();
    signal("KILL", pids.subList(0, 1));
    signal("KILL", pids);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (long pid : pids) {
      while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("server process " + pid + " survived kill -9");
        }
        sleep(10);
      }
    }
    return pids.size();
  }

  /**
   * Starts the server again on the same data folder and port after a {@link #crash()}; PostgreSQL
   * runs its crash recovery from the WAL before it accepts connections.
   */
  void restart() {
    pgCtlStart();
  }

  /** Stops the server now and deletes its data (the shared server is left to the JVM exit). */
  void stop() {
    if (this != instance) {
      try {
        // A server frozen by a failed test would ignore the stop request until it is continued.
        resume();
      } catch (RuntimeException e) {
        // Not running any more: nothing to continue.
      }
      stop(bin, data, dir, root);
    }
  }

  /** The postmaster's pid first, then every process below it. */
  private List<Long> serverProcesses() {
    long postmaster;
    try {
      postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.UTF_8)
          .get(0).strip());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the postmaster's pid under " + data + ": " + e, e);
    }
    ProcessHandle handle = ProcessHandle.of(postmaster)
        .orElseThrow(() -> new IllegalStateException("the postmaster " + postmaster + " is not running"));
    List<Long> pids = new ArrayList<>();
    pids.add(postmaster);
    handle.descendants().forEach(p -> pids.add(p.pid()));
    return pids;
  }

  private void signal(String signal, List<Long> pids) {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " timed out");
      }
      // A process that exited meanwhile makes kill exit 1; only a missing postmaster matters, and
      // serverProcesses() has just seen it.
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("kill -" + signal + " interrupted", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static Path findBinaries() {
    Path root = Paths.get("/usr/lib/postgresql");
    List<Path> candidates = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))
            && Files.isExecutable(b.resolve("pg_ctl"))).forEach(candidates::add);
      } catch (IOException e) {
        throw new IllegalStateException("cannot list " + root + ". " + FIX, e);
      }
    }
    return candidates.stream()
        .max(Comparator.comparingInt(PostgresServer::majorVersion))
        .orElseThrow(() -> new IllegalStateException("No PostgreSQL binaries found under " + root + ". " + FIX));
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("[^0-9].*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static List<String> as(boolean root, String... command) {
    List<String> out = new ArrayList<>();
    if (root) {
      out.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    out.addAll(List.of(command));
    return out;
  }

  /** A free port on the loopback interface, for a server of the tests to listen on. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(List<String> command, Path dir, String what, @Nullable Path serverLog) {
    Path out = dir.resolve("command.out");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(what + " timed out. " + FIX);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("Could not start the test PostgreSQL server: " + what + " exited with "
            + p.exitValue() + ": " + readQuietly(out)
            + (serverLog == null ? "" : "\nserver log: " + readQuietly(serverLog)) + "\n" + FIX);
      }
    } catch (IOException e) {
      throw new IllegalStateException("Could not start the test PostgreSQL server: " + what + " failed: " + e
          + "\n" + FIX, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static void stop(Path bin, Path data, Path dir, boolean root) {
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        Process p = new ProcessBuilder(as(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m",
            "immediate", "-w", "stop")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      // Best effort at JVM exit: the data folder is deleted below either way.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Best effort: a leftover temp folder is harmless.
    }
  }
}
