package io.preprompt.credits.testkit.sim;

import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.spi.CreditStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A seeded, reproducible simulation of many clients using the credit system through one
 * {@link CreditStore}, with faults injected, checking that no credit is ever lost, duplicated or
 * overdrawn.
 *
 * <p>The seed generates a history of operations (see {@link Builder}): grants, grants that start a
 * little ahead of the clock, voids and expiry changes of the lots granted, holds, full and partial
 * settles, releases, hold and lot expiry through time jumps and the sweep, monthly refills, pack
 * purchases, subscriptions and plan changes, automatic top-ups turned on, changed and off (with
 * thresholds near the balance, so spending crosses them) and their payments, billing confirmations
 * delivered late, out of order and twice, retries with the same key, and the same key with other parameters (which must fail with
 * {@code IDEMPOTENCY_CONFLICT}). Each operation may have a {@link FaultKind} armed, drawn from the
 * {@link FaultPlan}. The history runs against a store from the factory, wrapped in a
 * {@link FaultInjectingStore}; calls whose outcome is unknown (a store failure) are resolved later by a
 * retry with the same key.
 *
 * <p>At every checkpoint and at the end, for every account, the run checks: conservation (granted =
 * live lots + settled + expired + debited, in the account row and in the ledger; and available +
 * held + upcoming + settled + expired + voided, by the model), no negative lot
 * even midway through the ledger, a gapless ledger that replays to the stored lots and totals,
 * {@code reconcile} finding no difference, every key's entries forming one commit, every acknowledged
 * call present with its idempotency record and exactly the credits its result names, refused calls
 * leaving nothing, each pack payment granted once and each cycle refilled once, and the holds, held
 * credits, settled and voided totals the acknowledged calls imply. Lots: what is upcoming is exactly
 * the acknowledged grants not yet started, untouched, and no hold draws on a lot before its start; a
 * voided lot has nothing left to spend and is never held, voided or given a new expiry again; a lot's
 * stored expiry is the one its last expiry change named. Automatic top-ups, read from every commit
 * the store took and from the gateway's requests: the stored setting is the one the acknowledged
 * calls set; a top-up is ordered only while one is on, for its pack, on a tier that may buy it; at
 * most one waits for its payment; the prices ordered in a calendar month ({@code PlansConfig#zone()}),
 * and those the gateway was asked to charge, never pass the cap in force at each order; a skip at the
 * cap is one the cap required; each payment grants once; and every open order was asked for by the end.
 *
 * <p>A run either returns a {@link SimulationReport} or throws a {@link SimulationFailure} whose
 * message carries the seed and the shortest failing history the shrinker found: it replays prefixes
 * and subsets of the history single-threaded against fresh stores, checking after every operation.
 *
 * <pre>{@code
 * SimulationReport report = Simulation.builder()
 *     .store(() -> new MyCreditStore(freshDatabase()))
 *     .seed(42).clients(8).accounts(3).operations(10_000)
 *     .faults(FaultPlan.defaults())
 *     .build()
 *     .run();
 * }</pre>
 */
public final class Simulation {
  private final Supplier<? extends CreditStore> stores;
  private final long seed;
  private final int clients;
  private final int accounts;
  private final int operations;
  private final FaultPlan faults;
  private final int checkpointEvery;
  private final boolean threads;
  private final Duration shrinkBudget;
  private final int maxShrinkRuns;
  private final Instant start;
  private final CreditsConfig config;
  private final BillingVariant variant;
  private final boolean reuseCommittedAccounts;

  private Simulation(Builder b) {
    this.stores = Objects.requireNonNull(b.stores);
    this.seed = b.seed;
    this.clients = b.clients;
    this.accounts = b.accounts;
    this.operations = b.operations;
    this.faults = b.faults;
    this.checkpointEvery = b.checkpointEvery;
    this.threads = b.threads;
    this.shrinkBudget = b.shrinkBudget;
    this.maxShrinkRuns = b.maxShrinkRuns;
    this.start = b.start;
    this.config = b.config;
    this.variant = b.variant;
    this.reuseCommittedAccounts = b.reuseCommittedAccounts;
  }

  /**
   * Starts a simulation; a store factory is required.
   *
   * @return a builder with 8 clients, 3 accounts, 5,000 operations, default faults, a checkpoint every
   *     500 operations, deterministic (single-threaded) execution, seed 1
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the simulation.
   *
   * @return what it did
   * @throws SimulationFailure when an invariant broke, with the seed and the shortest history found
   */
  public SimulationReport run() {
    List<Op> ops = Op.generate(seed, operations, clients, accounts, faults);
    long t0 = System.nanoTime();
    Run run = new Run(stores.get(), faults, accounts, start, config, threads, variant, reuseCommittedAccounts);
    List<Op> executed = Collections.synchronizedList(new ArrayList<>());
    try {
      if (threads) {
        runThreaded(run, ops, executed);
      } else {
        for (int i = 0; i < ops.size(); i++) {
          executed.add(ops.get(i));
          run.execute(ops.get(i));
          if ((i + 1) % checkpointEvery == 0) {
            run.checkpoint();
          }
        }
      }
      run.finish();
    } catch (Run.Violation v) {
      List<Op> history;
      synchronized (executed) {
        history = new ArrayList<>(executed);
      }
      throw failure(history, v);
    }
    return run.report(seed, clients, Duration.ofNanos(System.nanoTime() - t0));
  }

  /**
   * Runs each client's operations on its own thread. Every {@code checkpointEvery / clients} operations
   * per client, all clients meet and the checkpoint runs while they wait.
   */
  private void runThreaded(Run run, List<Op> ops, List<Op> executed) {
    List<List<Op>> perClient = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      perClient.add(new ArrayList<>());
    }
    for (Op op : ops) {
      perClient.get(op.client()).add(op);
    }
    int round = Math.max(1, checkpointEvery / clients);
    int longest = perClient.stream().mapToInt(List::size).max().orElse(0);
    int rounds = (longest + round - 1) / round;
    AtomicReference<Run.@Nullable Violation> failed = new AtomicReference<>();
    AtomicReference<@Nullable Throwable> crashed = new AtomicReference<>();
    // A phaser rather than a barrier: a failing client terminates it, which releases every waiting client.
    Phaser phaser = new Phaser(clients) {
      @Override
      protected boolean onAdvance(int phase, int parties) {
        try {
          run.checkpoint();
          return false;
        } catch (Run.Violation v) {
          failed.compareAndSet(null, v);
        } catch (RuntimeException e) {
          crashed.compareAndSet(null, e);
        }
        return true;
      }
    };
    List<Thread> workers = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      List<Op> mine = perClient.get(c);
      Thread t = new Thread(() -> {
        try {
          for (int r = 0; r < rounds && !phaser.isTerminated(); r++) {
            for (int i = r * round; i < Math.min(mine.size(), (r + 1) * round) && !phaser.isTerminated(); i++) {
              executed.add(mine.get(i));
              run.execute(mine.get(i));
            }
            phaser.arriveAndAwaitAdvance();
          }
        } catch (Run.Violation v) {
          failed.compareAndSet(null, v);
          phaser.forceTermination();
        } catch (RuntimeException e) {
          crashed.compareAndSet(null, e);
          phaser.forceTermination();
        }
      }, "sim-client-" + c);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the simulated clients", e);
      }
    }
    Run.Violation v = failed.get();
    if (v != null) {
      throw v;
    }
    Throwable crash = crashed.get();
    if (crash != null) {
      Run.Violation wrapped = new Run.Violation("a simulated client crashed: " + crash);
      wrapped.initCause(crash);
      throw wrapped;
    }
  }

  // ------------------------------------------------------------------------------------------ shrinking

  /** The violation a replay ends with, and after how many operations. */
  private record Outcome(String violation, int operations) {}

  /** Replays a history single-threaded on a fresh store, checking every {@code every} operations. */
  private @Nullable Outcome replay(List<Op> ops, int every) {
    Run run = new Run(stores.get(), faults, accounts, start, config, false, variant, reuseCommittedAccounts);
    int i = 0;
    try {
      for (; i < ops.size(); i++) {
        run.execute(ops.get(i));
        if ((i + 1) % every == 0) {
          run.checkpoint();
        }
      }
      run.finish();
      return null;
    } catch (Run.Violation v) {
      return new Outcome(v.getMessage(), Math.min(i + 1, ops.size()));
    }
  }

  private SimulationFailure failure(List<Op> history, Run.Violation original) {
    long deadline = System.nanoTime() + shrinkBudget.toNanos();
    int[] runs = {0};
    StringBuilder msg = new StringBuilder();
    msg.append("Simulation failed for seed ").append(seed).append(" (").append(threads ? "threads" : "deterministic")
        .append(", ").append(clients).append(" clients, ").append(accounts).append(" accounts, ").append(operations)
        .append(" operations, ").append(faults).append(")\n  violation: ").append(original.getMessage()).append('\n');
    // Checking after every operation stops at the first one that breaks an invariant; if that does not
    // reproduce it (the violation needed unknown outcomes left pending longer), keep the run's checkpoints.
    int every = 1;
    Outcome first = replay(history, 1);
    runs[0]++;
    if (first == null) {
      every = checkpointEvery;
      first = replay(history, every);
      runs[0]++;
    }
    if (first == null) {
      List<String> lines = describe(history);
      msg.append("  the history did not fail again when replayed single-threaded; the ").append(history.size())
          .append(" operations as the clients ran them").append(lines.size() > 200 ? " (last 200)" : "").append(":\n");
      for (String line : lines.subList(Math.max(0, lines.size() - 200), lines.size())) {
        msg.append("    ").append(line).append('\n');
      }
      return new SimulationFailure(msg.toString(), seed, lines, false, original);
    }
    List<Op> best = new ArrayList<>(history.subList(0, first.operations()));
    Outcome bestOutcome = first;
    int n = 2;
    int checkEvery = every;
    while (best.size() >= 2 && runs[0] < maxShrinkRuns && System.nanoTime() < deadline) {
      int chunk = (best.size() + n - 1) / n;
      boolean reduced = false;
      for (int from = 0; from < best.size() && runs[0] < maxShrinkRuns && System.nanoTime() < deadline; from += chunk) {
        List<Op> candidate = new ArrayList<>(best.subList(0, from));
        candidate.addAll(best.subList(Math.min(best.size(), from + chunk), best.size()));
        Outcome o = replay(candidate, checkEvery);
        runs[0]++;
        if (o != null) {
          best = new ArrayList<>(candidate.subList(0, o.operations()));
          bestOutcome = o;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        if (n >= best.size()) {
          break;
        }
        n = Math.min(best.size(), n * 2);
      }
    }
    List<String> lines = describe(best);
    msg.append("  shortest failing history found: ").append(best.size()).append(" of ").append(history.size())
        .append(" operations (").append(runs[0]).append(" replays on fresh stores, single-threaded, checking every ")
        .append(checkEvery == 1 ? "operation" : checkEvery + " operations").append(")\n  its violation: ")
        .append(bestOutcome.violation()).append('\n');
    for (String line : lines) {
      msg.append("    ").append(line).append('\n');
    }
    return new SimulationFailure(msg.toString(), seed, lines, true, original);
  }

  private static List<String> describe(List<Op> ops) {
    List<String> out = new ArrayList<>(ops.size());
    for (Op op : ops) {
      out.add(op.toString());
    }
    return out;
  }

  /** Builds a {@link Simulation}; each setter checks its value at once. */
  public static final class Builder {
    private @Nullable Supplier<? extends CreditStore> stores;
    private long seed = 1;
    private int clients = 8;
    private int accounts = 3;
    private int operations = 5_000;
    private FaultPlan faults = FaultPlan.defaults();
    private int checkpointEvery = 500;
    private boolean threads;
    private Duration shrinkBudget = Duration.ofSeconds(20);
    private int maxShrinkRuns = 400;
    private Instant start = Instant.parse("2026-01-31T10:00:00Z");
    private CreditsConfig config = CreditsConfig.defaults();
    private BillingVariant variant = BillingVariant.REAL;
    private boolean reuseCommittedAccounts = true;

    private Builder() {}

    /** Runs a broken billing layer instead of the real one (the checker's own tests). */
    Builder billing(BillingVariant variant) {
      this.variant = Objects.requireNonNull(variant, "variant");
      return this;
    }

    /**
     * Sets the engine settings the simulated services run with (commit attempts, hold ttl limits).
     *
     * @param config the settings; the default is {@link CreditsConfig#defaults()}
     * @return this builder
     */
    public Builder config(CreditsConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Sets whether the simulated services run a call on the account as their own last commit left
     * it ({@link io.preprompt.credits.CreditServiceBuilder#reuseCommittedAccounts}); false makes every
     * call read, so stale and failing reads meet keyed calls too.
     *
     * @param reuse false to read the account before every call; the default is true
     * @return this builder
     */
    public Builder reuseCommittedAccounts(boolean reuse) {
      this.reuseCommittedAccounts = reuse;
      return this;
    }

    /**
     * Sets the factory of fresh, empty stores: one for the run and one per shrinking replay.
     *
     * @param stores the factory
     * @return this builder
     */
    public Builder store(Supplier<? extends CreditStore> stores) {
      this.stores = Objects.requireNonNull(stores, "stores");
      return this;
    }

    /**
     * Sets the seed the history and its faults are drawn from.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets the number of logical clients.
     *
     * @param clients 1..256
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} outside 1..256
     */
    public Builder clients(int clients) {
      this.clients = range("clients", clients, 1, 256);
      return this;
    }

    /**
     * Sets the number of accounts the clients share; fewer accounts mean more contention.
     *
     * @param accounts 1..64
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} outside 1..64
     */
    public Builder accounts(int accounts) {
      this.accounts = range("accounts", accounts, 1, 64);
      return this;
    }

    /**
     * Sets the number of operations.
     *
     * @param operations 0..10,000,000
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} outside 0..10,000,000
     */
    public Builder operations(int operations) {
      this.operations = range("operations", operations, 0, 10_000_000);
      return this;
    }

    /**
     * Sets the faults.
     *
     * @param faults the fault plan
     * @return this builder
     */
    public Builder faults(FaultPlan faults) {
      this.faults = Objects.requireNonNull(faults, "faults");
      return this;
    }

    /**
     * Sets how many operations run between checkpoints (with threads: in total over all clients).
     *
     * @param operations 1..10,000,000
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} outside 1..10,000,000
     */
    public Builder checkpointEvery(int operations) {
      this.checkpointEvery = range("checkpointEvery", operations, 1, 10_000_000);
      return this;
    }

    /**
     * Runs each client on its own thread, so clients really contend on accounts; the history is then
     * no longer reproducible operation by operation, and a failure is shrunk by replaying it
     * single-threaded in the order the operations ran.
     *
     * @param threads true for threads, false (the default) for a deterministic interleaving
     * @return this builder
     */
    public Builder threads(boolean threads) {
      this.threads = threads;
      return this;
    }

    /**
     * Bounds the shrinker.
     *
     * @param budget wall time, 0 to 10 minutes
     * @param maxRuns replays, 0..100,000
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for values out of range
     */
    public Builder shrinking(Duration budget, int maxRuns) {
      Objects.requireNonNull(budget, "budget");
      if (budget.isNegative() || budget.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "shrink budget must be 0..10 min, was " + budget);
      }
      this.shrinkBudget = budget;
      this.maxShrinkRuns = range("maxRuns", maxRuns, 0, 100_000);
      return this;
    }

    /**
     * Sets the clock's starting instant.
     *
     * @param start the instant (the default, 2026-01-31T10:00Z, exercises month-end anchors)
     * @return this builder
     */
    public Builder start(Instant start) {
      this.start = Objects.requireNonNull(start, "start");
      return this;
    }

    /**
     * Builds the simulation.
     *
     * @return the simulation
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when no store factory was set
     */
    public Simulation build() {
      if (stores == null) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a store factory is required");
      }
      return new Simulation(this);
    }

    private static int range(String what, int value, int min, int max) {
      if (value < min || value > max) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
            what + " must be " + min + ".." + max + ", was " + value);
      }
      return value;
    }
  }
}
