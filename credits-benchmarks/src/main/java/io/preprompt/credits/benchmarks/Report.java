package io.preprompt.credits.benchmarks;

import io.preprompt.credits.benchmarks.BenchmarkSuite.Alternation;
import io.preprompt.credits.benchmarks.BenchmarkSuite.Load;
import io.preprompt.credits.benchmarks.BenchmarkSuite.Results;
import io.preprompt.credits.benchmarks.BenchmarkSuite.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders the suite's results as Markdown: the targets (library, baseline, ratio, spread, ceiling),
 * the alternating PostgreSQL runs, the in-memory pairings, cost growth and the machine's load.
 */
final class Report {
  private Report() {}

  /** A library benchmark and its baseline within one group. */
  private record Pairing(String group, String label, String library, String baseline) {}

  private static final List<Pairing> PAIRINGS = List.of(
      new Pairing("memory-pair-1t", "In-memory hold+settle pair", "pair", "baselinePair"),
      new Pairing(BenchmarkSuite.REFERENCE_GROUP, "In-memory hold+settle pair, on the reference JDK", "pair",
          "baselinePair"),
      new Pairing("memory-pair-2t", "In-memory hold+settle pair", "pair", "baselinePair"),
      new Pairing("memory-gate", "In-memory gate authorize+succeeded", "gatePair", "baselineGatePair"),
      new Pairing("memory-balance", "In-memory balance view", "balance", "baselineBalance"));

  private static final String[] HISTORIES = {"10-entries", "10k-entries", "1M-entries", "1k-active-holds",
      "1k-accounts", "1M-accounts"};

  /**
   * One of issue 18's targets as measured.
   *
   * @param name what is required
   * @param library the library's figure
   * @param baseline the baseline's figure
   * @param ratio the figure compared with the threshold
   * @param spread how far the ratio moved within the run
   * @param ceiling the server's one-row-update ceiling beside it, or a dash
   * @param met whether the ratio meets the target
   */
  record Target(String name, String library, String baseline, double ratio, String spread, String ceiling,
      boolean met) {}

  /** The targets the run measured, in the order (a target whose groups did not run is left out). */
  static List<Target> targets(Results all) {
    List<Target> out = new ArrayList<>();
    int[][] pairTargets = {{16, 30}, {4, 15}, {1, 10}};
    for (int[] t : pairTargets) {
      double threshold = t[1] / 10.0;
      alternation(all, BenchmarkSuite.ALTERNATING + t[0] + "t").ifPresent(a -> {
        double ratio = Stats.quantile(a.ratios(), 0.5);
        out.add(new Target(String.format(Locale.ROOT, "%d thread%s: library ≥ %.1f× the baseline, pairs/s", t[0],
            t[0] == 1 ? "" : "s", threshold), pairs(Stats.quantile(a.library(), 0.5)),
            pairs(Stats.quantile(a.baseline(), 0.5)), ratio, spread(a.ratios()), ceiling(a), ratio >= threshold));
      });
    }
    alternation(all, BenchmarkSuite.ALTERNATING + "16t").ifPresent(a -> {
      double lib = a.latencyMicros("library.p99Micros");
      double base = a.latencyMicros("baseline.p99Micros");
      out.add(new Target("16 threads: p99 latency of a hold no worse than the baseline's", millis(lib) + " ms",
          millis(base) + " ms", lib / base, String.format(Locale.ROOT, "p50 %s / %s ms; %,.0f / %,.0f holds",
              millis(a.latencyMicros("library.p50Micros")), millis(a.latencyMicros("baseline.p50Micros")),
              a.latencyMicros("library.count"), a.latencyMicros("baseline.count")), ceiling(a), lib <= base));
    });
    cost(all, "growth-postgresql", "1M-entries", "10-entries", 1.2, "10^6 ledger entries", "10 entries")
        .ifPresent(out::add);
    cost(all, "growth-postgresql", "1k-active-holds", "10-entries", 1.5, "1,000 active holds on the account",
        "none").ifPresent(out::add);
    cost(all, "growth-postgresql", "1M-accounts", "1k-accounts", 1.2, "10^6 accounts in the database", "10^3")
        .ifPresent(out::add);
    cost(all, "growth-memory", "1M-entries", "10-entries", 1.2, "in memory, 10^6 ledger entries", "10 entries")
        .ifPresent(out::add);
    cost(all, "growth-memory", "1k-active-holds", "10-entries", 1.5, "in memory, 1,000 active holds", "none")
        .ifPresent(out::add);
    return out;
  }

  static String table(Results all) {
    StringBuilder sb = new StringBuilder();
    sb.append("Targets (issue 18), on the durable server, every ratio from the same run; for the pairs the ratio"
        + " is the median over the measured iterations of library / baseline, the spread its quartiles and"
        + " range; for cost the library column is the grown case, the baseline column the small one, the"
        + " spread the ratio's range over the JMH 99.9 % intervals:\n\n");
    sb.append("| Target | Library | Baseline | Ratio | Spread | Ceiling (pgbench) | Met |\n");
    sb.append("|---|---:|---:|---:|---|---|---|\n");
    for (Target t : targets(all)) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f× | %s | %s | %s |%n", t.name(), t.library(),
          t.baseline(), t.ratio(), t.spread(), t.ceiling(), t.met() ? "yes" : "**no**"));
    }

    sb.append("\nPostgreSQL hold+settle pairs, library and competent hand-written SQL alternating in blocks within"
        + " one JMH run (pairs/s while each side ran, median over iterations; hold latency over all measured"
        + " iterations):\n\n");
    sb.append("| Server | Threads | Library (pairs/s) | Baseline (pairs/s) | Ratio, median | Quartiles | Range |"
        + " Iterations | Hold p50, library / baseline (ms) | Hold p99, library / baseline (ms) |"
        + " Ceiling: pgbench tps (pairs/s) |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Alternation a : all.alternations()) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.2f× | %.2f–%.2f× | %.2f–%.2f× | %d | %s / %s |"
              + " %s / %s | %s |%n",
          a.durable() ? "durable" : "no durability (fsync off)", a.threads(),
          pairs(Stats.quantile(a.library(), 0.5)), pairs(Stats.quantile(a.baseline(), 0.5)),
          Stats.quantile(a.ratios(), 0.5), Stats.quantile(a.ratios(), 0.25), Stats.quantile(a.ratios(), 0.75),
          Stats.quantile(a.ratios(), 0), Stats.quantile(a.ratios(), 1), a.ratios().length,
          millis(a.latencyMicros("library.p50Micros")), millis(a.latencyMicros("baseline.p50Micros")),
          millis(a.latencyMicros("library.p99Micros")), millis(a.latencyMicros("baseline.p99Micros")),
          ceiling(a)));
    }

    boolean memory = false;
    for (Pairing p : PAIRINGS) {
      Optional<Row> lib = BenchmarkSuite.find(all.rows(), p.group(), p.library(), "");
      Optional<Row> base = BenchmarkSuite.find(all.rows(), p.group(), p.baseline(), "");
      if (lib.isEmpty() || base.isEmpty()) {
        continue;
      }
      if (!memory) {
        sb.append("\nIn memory:\n\n| Measurement | Threads | Library (ops/s) | Baseline (ops/s) | Library / baseline |"
            + " Library alloc (B/op) | Baseline alloc (B/op) |\n|---|---:|---:|---:|---:|---:|---:|\n");
        memory = true;
      }
      sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.2f× | %s | %s |%n", p.label(), lib.get().threads(),
          ops(lib.get()), ops(base.get()), lib.get().score() / base.get().score(), bytes(lib.get().allocPerOp()),
          bytes(base.get().allocPerOp())));
    }

    StringBuilder growth = new StringBuilder();
    for (String store : new String[] {"MEMORY", "POSTGRESQL"}) {
      String group = "growth-" + store.toLowerCase(Locale.ROOT);
      for (String h : HISTORIES) {
        String reference = h.endsWith("-accounts") ? "1k-accounts" : "10-entries";
        Optional<Row> base = BenchmarkSuite.find(all.rows(), group, "pair", "history=" + reference + ",");
        Optional<Row> r = BenchmarkSuite.find(all.rows(), group, "pair", "history=" + h + ",");
        if (r.isPresent() && base.isPresent()) {
          growth.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f× |%n", store, h, ops(r.get()),
              base.get().score() / r.get().score()));
        }
      }
    }
    if (growth.length() > 0) {
      sb.append("\nCost growth (one thread; the account's history before the run; cost per pair relative to the"
          + " 10-entry account, or for the accounts rows to one account among 10^3, of the same store in the same"
          + " run; PostgreSQL is the durable server):\n\n");
      sb.append("| Store | Account | Pairs/s | Cost per pair |\n|---|---|---:|---:|\n").append(growth);
    }

    sb.append("\nMachine load during the run (one-minute load average at the group's start and end; CPU busy and"
        + " stolen over the group, pgbench ceiling included, of all cores; the benchmark's own work is part of it):\n\n");
    sb.append("| Group | Load |\n|---|---|\n");
    for (Load l : all.loads()) {
      sb.append("| ").append(l.group()).append(" | ").append(l.start().until(l.end())).append(" |\n");
    }
    return sb.toString();
  }

  private static Optional<Alternation> alternation(Results all, String group) {
    return all.alternations().stream().filter(a -> a.group().equals(group)).findFirst();
  }

  private static Optional<Target> cost(Results all, String group, String grown, String small, double threshold,
      String what, String against) {
    Optional<Row> s = BenchmarkSuite.find(all.rows(), group, "pair", "history=" + small + ",");
    Optional<Row> g = BenchmarkSuite.find(all.rows(), group, "pair", "history=" + grown + ",");
    if (s.isEmpty() || g.isEmpty()) {
      return Optional.empty();
    }
    double cost = s.get().score() / g.get().score();
    String spread = Double.isNaN(s.get().error()) || Double.isNaN(g.get().error()) ? "–"
        : String.format(Locale.ROOT, "%.2f–%.2f×", (s.get().score() - s.get().error())
            / (g.get().score() + g.get().error()), (s.get().score() + s.get().error())
            / Math.max(1e-9, g.get().score() - g.get().error()));
    return Optional.of(new Target(String.format(Locale.ROOT, "Flat cost: %s ≤ %.1f× per pair vs %s", what,
        threshold, against), ops(g.get()) + " pairs/s", ops(s.get()) + " pairs/s", cost, spread, "–",
        cost <= threshold));
  }

  private static String spread(double[] ratios) {
    return String.format(Locale.ROOT, "quartiles %.2f–%.2f×, range %.2f–%.2f× (%d iterations)",
        Stats.quantile(ratios, 0.25), Stats.quantile(ratios, 0.75), Stats.quantile(ratios, 0),
        Stats.quantile(ratios, 1), ratios.length);
  }

  private static String ceiling(Alternation a) {
    if (a.ceilingTps().length == 0) {
      return "–";
    }
    double mean = Arrays.stream(a.ceilingTps()).average().orElse(Double.NaN);
    StringBuilder runs = new StringBuilder();
    for (double tps : a.ceilingTps()) {
      runs.append(runs.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%,.0f", tps));
    }
    return String.format(Locale.ROOT, "%s tps (%,.0f pairs/s)", runs, mean / 2);
  }

  private static String pairs(double perSecond) {
    return String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  private static String millis(double micros) {
    return Double.isNaN(micros) ? "–" : String.format(Locale.ROOT, "%.2f", micros / 1_000);
  }

  private static String ops(Row r) {
    String score = String.format(Locale.ROOT, "%,.0f", r.score());
    return Double.isNaN(r.error()) ? score : score + String.format(Locale.ROOT, " ± %,.0f", r.error());
  }

  private static String bytes(double b) {
    return Double.isNaN(b) ? "–" : String.format(Locale.ROOT, "%,.0f", b);
  }
}
