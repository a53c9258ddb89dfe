package io.preprompt.credits.benchmarks;

import io.preprompt.credits.jdbc.BenchmarkDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark group, each library benchmark with its baseline in the same JMH run, and
 * writes per group the JMH JSON, then {@code summary.json} and {@code table.md} with the ratios and
 * the targets. {@code run-benchmarks.sh} calls it; so does the smoke test, in quick mode.
 *
 * <p>PostgreSQL: the suite starts one durable server (production durability) and one
 * no-durability server, once, and passes their URLs to the JMH forks (system properties of
 * {@link BenchmarkDatabases}), so every fork and pgbench measure the same servers. Before and after
 * each alternating group on the durable server it runs the pgbench one-row-update ceiling with as
 * many clients as the group has threads. At each group's start and end it samples the machine's
 * load.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.preprompt.credits.benchmarks.BenchmarkSuite <out-dir> [--quick] [group-id ...]}
 */
public final class BenchmarkSuite {
  private static final String PKG = "io.preprompt.credits.benchmarks.";
  /** The JDBC pair groups' id prefix: library and baseline alternating on one server. */
  static final String ALTERNATING = "postgresql-alternating-";
  /** The same on the no-durability server: the labelled second row. */
  static final String ALTERNATING_NO_DURABILITY = "postgresql-no-durability-alternating-";

  /**
   * One JMH run: a library benchmark and its baseline (or a parameter sweep).
   *
   * @param id file name of the group's JSON
   * @param include JMH include pattern
   * @param threads JMH threads
   * @param gc whether to run the GC profiler (bytes allocated per operation)
   * @param params JMH parameters to fix
   * @param jvm the {@code java} binary the forks run, or null for the one running the suite
   * @param ceiling whether to run the pgbench ceiling on the durable server around it
   */
  record Group(String id, String include, int threads, boolean gc, Map<String, String[]> params, @Nullable String jvm,
      boolean ceiling) {
    Group(String id, String include, int threads, boolean gc, Map<String, String[]> params) {
      this(id, include, threads, gc, params, null, false);
    }

    boolean postgres() {
      return id.startsWith("postgresql") || id.equals("growth-postgresql");
    }

    boolean alternating() {
      return id.startsWith(ALTERNATING) || id.startsWith(ALTERNATING_NO_DURABILITY);
    }
  }

  /**
   * The system property naming a second {@code java} binary (run-benchmarks.sh passes the default
   * JDK's when the suite runs on a newer one): the in-memory pair is measured on it too, as group
   * {@value #REFERENCE_GROUP}.
   */
  static final String REFERENCE_JVM = "benchmarks.referenceJvm";
  /** The group of the in-memory pair on the {@link #REFERENCE_JVM}. */
  static final String REFERENCE_GROUP = "memory-pair-1t-reference-jdk";

  /**
   * One benchmark's result.
   *
   * @param group the group id
   * @param benchmark the method name
   * @param params the parameters, as {@code name=value} joined by commas
   * @param threads threads
   * @param score operations per second
   * @param error the 99.9% confidence half-width (NaN when too few iterations)
   * @param allocPerOp bytes allocated per operation, or NaN when not profiled
   */
  record Row(String group, String benchmark, String params, int threads, double score, double error,
      double allocPerOp) {}

  /**
   * One alternating group's figures: per measured iteration, each side's pairs/s while it ran (its
   * count over half the iteration) and their ratio; each side's hold latency; the ceiling.
   *
   * @param group the group id
   * @param durable whether on the durable server
   * @param threads threads
   * @param library the library's pairs/s per iteration
   * @param baseline the baseline's pairs/s per iteration
   * @param ratios library / baseline per iteration
   * @param latency {@code library.p50Micros} etc. as written by the trial, empty when missing
   * @param ceilingTps the pgbench one-row-update tps before and after the group (empty when not run)
   */
  record Alternation(String group, boolean durable, int threads, double[] library, double[] baseline,
      double[] ratios, Map<String, Double> latency, double[] ceilingTps) {
    double latencyMicros(String key) {
      return latency.getOrDefault(key, Double.NaN);
    }
  }

  /**
   * How loaded the machine was during one group.
   *
   * @param group the group id
   * @param start sampled before the group (and its ceiling)
   * @param end sampled after it
   */
  record Load(String group, MachineLoad start, MachineLoad end) {}

  /**
   * Everything a run measured.
   *
   * @param rows every benchmark's JMH score
   * @param alternations the alternating groups' figures
   * @param loads the machine's load per group
   */
  record Results(List<Row> rows, List<Alternation> alternations, List<Load> loads) {}

  /** The groups, in run order. */
  static List<Group> groups(boolean quick) {
    List<Group> out = new ArrayList<>();
    String mem = PKG + "InMemoryBenchmarks.";
    out.add(new Group("memory-pair-1t", mem + "(pair|baselinePair)$", 1, true, Map.of()));
    String reference = System.getProperty(REFERENCE_JVM);
    if (!quick && reference != null && !reference.isBlank()) {
      out.add(new Group(REFERENCE_GROUP, mem + "(pair|baselinePair)$", 1, true, Map.of(), reference, false));
    }
    out.add(new Group("memory-pair-2t", mem + "(pair|baselinePair)$", 2, true, Map.of()));
    out.add(new Group("memory-gate", mem + "(gatePair|baselineGatePair)$", 1, true, Map.of()));
    out.add(new Group("memory-balance", mem + "(balance|baselineBalance)$", 1, true, Map.of()));
    String jdbc = PKG + "JdbcPairBenchmarks.alternatingPair$";
    // Short blocks in the smoke run, so its one short iteration still sees both sides.
    String[] block = {quick ? "25" : "250"};
    for (int t : new int[] {1, 4, 16}) {
      out.add(new Group(ALTERNATING + t + "t", jdbc, t, false,
          Map.of("server", new String[] {"DURABLE"}, "blockMillis", block), null, true));
    }
    for (int t : new int[] {1, 4, 16}) {
      out.add(new Group(ALTERNATING_NO_DURABILITY + t + "t", jdbc, t, false,
          Map.of("server", new String[] {"NO_DURABILITY"}, "blockMillis", block)));
    }
    String[] memoryHistories = quick ? new String[] {"10-entries", "1k-active-holds"}
        : new String[] {"10-entries", "10k-entries", "1M-entries", "1k-active-holds"};
    String[] postgresHistories = quick ? new String[] {"10-entries", "1k-active-holds", "1k-accounts"}
        : new String[] {"10-entries", "10k-entries", "1M-entries", "1k-active-holds", "1k-accounts", "1M-accounts"};
    out.add(new Group("growth-memory", PKG + "GrowthBenchmarks.", 1, false,
        Map.of("store", new String[] {"MEMORY"}, "history", memoryHistories)));
    out.add(new Group("growth-postgresql", PKG + "GrowthBenchmarks.", 1, false,
        Map.of("store", new String[] {"POSTGRESQL"}, "history", postgresHistories)));
    return out;
  }

  private BenchmarkSuite() {}

  /**
   * Runs the suite.
   *
   * @param args output directory, then {@code --quick} for the smoke run
   * @throws Exception when a benchmark fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: BenchmarkSuite <out-dir> [--quick] [group-id ...]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    boolean quick = false;
    List<String> only = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--quick")) {
        quick = true;
      } else {
        only.add(args[i]);
      }
    }
    Results results = run(out, quick, only);
    System.out.println(Files.readString(out.resolve("table.md"), StandardCharsets.UTF_8));
    System.out.println(results.rows().size() + " results in " + out.toAbsolutePath());
  }

  /**
   * Runs the groups and writes the reports.
   *
   * @param out the output directory (created)
   * @param quick one short iteration per benchmark, no fork, no warm-up, a 1 s ceiling: the CI smoke run
   * @param only group ids to run; empty for all
   * @return every result
   * @throws RunnerException when a benchmark fails
   */
  static Results run(Path out, boolean quick, List<String> only) throws RunnerException {
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Group> selected = groups(quick).stream().filter(g -> only.isEmpty() || only.contains(g.id())).toList();
    Map<String, String> servers = new LinkedHashMap<>();
    if (selected.stream().anyMatch(Group::postgres)) {
      // Started here, once, in this JVM (stopped at its exit); the forks only connect.
      servers.put(BenchmarkDatabases.DURABLE_URL, BenchmarkDatabases.durableUrl());
      servers.put(BenchmarkDatabases.NO_DURABILITY_URL, BenchmarkDatabases.postgresUrl());
    }
    int ceilingSeconds = quick ? 1 : 3;
    List<Row> rows = new ArrayList<>();
    List<Alternation> alternations = new ArrayList<>();
    List<Load> loads = new ArrayList<>();
    for (Group g : selected) {
      MachineLoad before = MachineLoad.sample();
      List<Double> ceiling = new ArrayList<>();
      if (g.ceiling()) {
        ceiling.add(PgbenchCeiling.tps(servers.get(BenchmarkDatabases.DURABLE_URL), g.threads(), ceilingSeconds,
            out.resolve("pgbench")));
      }
      Path latency = out.resolve(g.id() + ".latency.properties");
      Map<String, String> properties = new LinkedHashMap<>(servers);
      if (g.alternating()) {
        properties.put(JdbcPairBenchmarks.LATENCY_FILE, latency.toAbsolutePath().toString());
      }
      ChainedOptionsBuilder options = new OptionsBuilder().include(g.include()).threads(g.threads())
          .shouldFailOnError(true).resultFormat(ResultFormatType.JSON)
          .result(out.resolve(g.id() + ".json").toString());
      g.params().forEach(options::param);
      if (g.jvm() != null) {
        // Forks otherwise inherit this JVM's options, which another JDK may not know.
        options.jvm(g.jvm()).jvmArgs();
      }
      // Prepended: the benchmark classes' own jvmArgsAppend (heap sizes) stay in force.
      options.jvmArgsPrepend(properties.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue())
          .toArray(String[]::new));
      if (g.gc()) {
        options.addProfiler(GCProfiler.class);
      }
      if (quick) {
        // An alternating group gets a whole second, so that each side still completes timed holds in
        // its 25 ms blocks when 16 threads share a busy machine's two cores.
        long millis = g.alternating() ? 1_000 : 200;
        options.forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(millis))
            .verbosity(VerboseMode.SILENT);
      }
      Collection<RunResult> results;
      if (quick) {
        // No fork: the benchmark runs in this JVM and reads the properties from it.
        properties.forEach(System::setProperty);
        try {
          results = new Runner(options.build()).run();
        } finally {
          properties.keySet().forEach(System::clearProperty);
        }
      } else {
        results = new Runner(options.build()).run();
      }
      if (g.ceiling()) {
        ceiling.add(PgbenchCeiling.tps(servers.get(BenchmarkDatabases.DURABLE_URL), g.threads(), ceilingSeconds,
            out.resolve("pgbench")));
      }
      loads.add(new Load(g.id(), before, MachineLoad.sample()));
      for (RunResult r : results) {
        String name = r.getParams().getBenchmark();
        StringBuilder params = new StringBuilder();
        for (String key : r.getParams().getParamsKeys()) {
          if (params.length() > 0) {
            params.append(',');
          }
          params.append(key).append('=').append(r.getParams().getParam(key));
        }
        Result<?> primary = r.getPrimaryResult();
        @Nullable Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
        rows.add(new Row(g.id(), name.substring(name.lastIndexOf('.') + 1), params.toString(), g.threads(),
            primary.getScore(), primary.getScoreError(), alloc == null ? Double.NaN : alloc.getScore()));
        if (g.alternating()) {
          alternations.add(alternation(g, r, latency, ceiling));
        }
      }
    }
    Results all = new Results(rows, alternations, loads);
    write(out.resolve("summary.json"), json(all));
    write(out.resolve("table.md"), Report.table(all));
    return all;
  }

  /** Each measured iteration's pairs per side (aux counters), as rates while that side ran. */
  private static Alternation alternation(Group g, RunResult r, Path latencyFile, List<Double> ceiling) {
    List<double[]> sides = new ArrayList<>();
    for (BenchmarkResult b : r.getBenchmarkResults()) {
      for (IterationResult i : b.getIterationResults()) {
        @Nullable Result<?> lib = i.getSecondaryResults().get("libraryPairs");
        @Nullable Result<?> base = i.getSecondaryResults().get("baselinePairs");
        if (lib == null || base == null) {
          throw new IllegalStateException(g.id() + ": an iteration without both sides' counters");
        }
        // Counted over the whole iteration, of which each side ran half.
        sides.add(new double[] {2 * lib.getScore(), 2 * base.getScore()});
      }
    }
    double[] library = sides.stream().mapToDouble(s -> s[0]).toArray();
    double[] baseline = sides.stream().mapToDouble(s -> s[1]).toArray();
    double[] ratios = sides.stream().mapToDouble(s -> s[0] / s[1]).toArray();
    Map<String, Double> latency = new LinkedHashMap<>();
    if (Files.exists(latencyFile)) {
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(latencyFile, StandardCharsets.UTF_8)) {
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      p.stringPropertyNames().forEach(k -> latency.put(k, Double.parseDouble(p.getProperty(k))));
    }
    return new Alternation(g.id(), g.id().startsWith(ALTERNATING), g.threads(), library, baseline, ratios, latency,
        ceiling.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String json(Results all) {
    StringBuilder sb = new StringBuilder("{\n  \"rows\": [\n");
    List<Row> rows = all.rows();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      sb.append(String.format(Locale.ROOT,
          "    {\"group\": \"%s\", \"benchmark\": \"%s\", \"params\": \"%s\", \"threads\": %d, \"opsPerSecond\": %s,"
              + " \"error\": %s, \"bytesPerOp\": %s}%s%n",
          r.group(), r.benchmark(), r.params(), r.threads(), number(r.score()), number(r.error()),
          number(r.allocPerOp()), i + 1 < rows.size() ? "," : ""));
    }
    sb.append("  ],\n  \"alternations\": [\n");
    List<Alternation> alt = all.alternations();
    for (int i = 0; i < alt.size(); i++) {
      Alternation a = alt.get(i);
      StringBuilder latency = new StringBuilder();
      a.latency().forEach((k, v) -> latency.append(latency.length() == 0 ? "" : ", ").append('"').append(k)
          .append("\": ").append(number(v)));
      sb.append(String.format(Locale.ROOT,
          "    {\"group\": \"%s\", \"durable\": %s, \"threads\": %d, \"libraryPairsPerSecond\": %s,"
              + " \"baselinePairsPerSecond\": %s, \"ratios\": %s, \"medianRatio\": %s, \"holdLatency\": {%s},"
              + " \"ceilingTps\": %s}%s%n",
          a.group(), a.durable(), a.threads(), numbers(a.library()), numbers(a.baseline()), numbers(a.ratios()),
          number(Stats.quantile(a.ratios(), 0.5)), latency, numbers(a.ceilingTps()), i + 1 < alt.size() ? "," : ""));
    }
    sb.append("  ],\n  \"targets\": [\n");
    List<Report.Target> targets = Report.targets(all);
    for (int i = 0; i < targets.size(); i++) {
      Report.Target t = targets.get(i);
      sb.append(String.format(Locale.ROOT, "    {\"target\": \"%s\", \"ratio\": %s, \"met\": %s}%s%n",
          t.name().replace("\"", "'"), number(t.ratio()), t.met(), i + 1 < targets.size() ? "," : ""));
    }
    sb.append("  ],\n  \"load\": [\n");
    for (int i = 0; i < all.loads().size(); i++) {
      Load l = all.loads().get(i);
      sb.append(String.format(Locale.ROOT, "    {\"group\": \"%s\", \"load\": \"%s\"}%s%n", l.group(),
          l.start().until(l.end()), i + 1 < all.loads().size() ? "," : ""));
    }
    return sb.append("  ]\n}\n").toString();
  }

  private static String numbers(double[] values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(number(values[i]));
    }
    return sb.append(']').toString();
  }

  private static String number(double d) {
    return Double.isNaN(d) || Double.isInfinite(d) ? "null" : String.format(Locale.ROOT, "%.3f", d);
  }

  /** Finds a row. */
  static Optional<Row> find(List<Row> rows, String group, String benchmark, String paramPart) {
    return rows.stream().filter(r -> r.group().equals(group) && r.benchmark().equals(benchmark)
        && r.params().contains(paramPart)).findFirst();
  }
}
