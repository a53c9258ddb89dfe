package io.preprompt.credits.benchmarks;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The library over the testkit's {@link InMemoryCreditStore} against {@link HandWrittenLedger}, in
 * the same run: a hold+settle pair, the gate's authorize+succeeded and the balance view. Each
 * thread works on its own account, as concurrent users do. The store (and the baseline) is rebuilt
 * at every iteration, so the ever-growing in-memory ledger stays bounded by one iteration's work.
 *
 * <p>One operation is one pair (or one balance read): ops/s is pairs per second, and
 * {@code gc.alloc.rate.norm} under {@code -prof gc} is bytes allocated per pair.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class InMemoryBenchmarks {
  static final long HOLD = 5;
  static final GenerationRequest IMAGE = GenerationRequest.image("standard", "720p");

  /** One world per iteration: store, service, gate and the baseline. */
  @State(Scope.Benchmark)
  public static class World {
    final InstantSource clock = InstantSource.system();
    final AtomicInteger threads = new AtomicInteger();
    InMemoryCreditStore store;
    CreditService credits;
    GenerationGate gate;
    HandWrittenLedger baseline;

    @Setup(Level.Iteration)
    public void build() {
      store = new InMemoryCreditStore();
      Credits library = Credits.builder().store(store).clock(clock).build();
      credits = library.credits();
      gate = library.gate();
      baseline = new HandWrittenLedger(clock);
    }
  }

  /** A thread's own account, opened in each iteration's world, with credits for any run. */
  @State(Scope.Thread)
  public static class User {
    AccountId account;
    String name;
    long n;

    @Setup(Level.Iteration)
    public void open(World world) {
      if (name == null) {
        name = "user-" + world.threads.incrementAndGet();
      }
      account = AccountId.of(name);
      world.credits.openAccount(account, IdempotencyKey.of("open"));
      // Three lots, as a subscriber has them: free credits, this month's allowance and a big pack.
      world.credits.grant(account, LotSource.SIGNUP_GRANT, CreditAmount.of(200), null, IdempotencyKey.of("signup"));
      world.credits.grant(account, LotSource.MONTHLY_ALLOWANCE, CreditAmount.of(1_000),
          world.clock.instant().plus(30, ChronoUnit.DAYS), IdempotencyKey.of("allowance"));
      world.credits.grant(account, LotSource.PACK, CreditAmount.of(Long.MAX_VALUE / 4), null, IdempotencyKey.of("pack"));
      world.baseline.grant(name, Long.MAX_VALUE / 4);
      Authorization probe = world.gate.authorize(account, IMAGE, IdempotencyKey.of("probe"));
      if (!(probe instanceof Authorization.Authorized authorized)) {
        throw new IllegalStateException("the gate benchmark's request is not authorized: " + probe);
      }
      world.gate.succeeded(account, authorized.hold().id(), CreditAmount.of(authorized.total()),
          IdempotencyKey.of("probe-done"));
    }

    IdempotencyKey key(String kind) {
      // One concatenation, one String: what a caller building keys would write.
      return IdempotencyKey.of(kind + n);
    }
  }

  /** The library: hold 5 credits, then settle the hold in full. */
  @Benchmark
  public Settlement pair(World world, User user) {
    user.n++;
    Hold hold = world.credits.hold(HoldRequest.of(user.account, CreditAmount.of(HOLD), user.key("h")));
    return world.credits.settle(user.account, hold.id(), user.key("s"));
  }

  /** The baseline: the same pair on the hand-written ledger. */
  @Benchmark
  public long baselinePair(World world, User user) {
    long hold = world.baseline.hold(user.name, HOLD);
    if (hold < 0) {
      throw new IllegalStateException("baseline ran out of credits");
    }
    return world.baseline.settle(hold);
  }

  /** The library's gate: price, tier check and hold an image, then settle its actual cost. */
  @Benchmark
  public Settlement gatePair(World world, User user) {
    user.n++;
    Authorization a = world.gate.authorize(user.account, IMAGE, user.key("a"));
    if (!(a instanceof Authorization.Authorized authorized)) {
      throw new IllegalStateException("not authorized: " + a);
    }
    return world.gate.succeeded(user.account, authorized.hold().id(), CreditAmount.of(authorized.total()),
        user.key("s"));
  }

  /** Hand-written price table and tier check a developer would write, then the baseline pair. */
  @Benchmark
  public long baselineGatePair(World world, User user, BaselinePrices prices) {
    String item = IMAGE.kind().name() + '/' + IMAGE.model() + '/' + IMAGE.resolution();
    if (!prices.freeTierModels.contains(IMAGE.model()) || !prices.freeTierResolutions.contains(IMAGE.resolution())) {
      throw new IllegalStateException("not in tier");
    }
    Long price = prices.prices.get(item);
    if (price == null) {
      throw new IllegalStateException("no price for " + item);
    }
    long hold = world.baseline.hold(user.name, price);
    if (hold < 0) {
      throw new IllegalStateException("baseline ran out of credits");
    }
    return world.baseline.settle(hold);
  }

  /** The baseline's price list and free-tier options. */
  @State(Scope.Benchmark)
  public static class BaselinePrices {
    final Map<String, Long> prices = Map.of("IMAGE/standard/720p", 8L, "IMAGE/standard/1080p", 12L);
    final Set<String> freeTierModels = Set.of("standard");
    final Set<String> freeTierResolutions = Set.of("720p");
  }

  /** The library's balance view (available, held, free, pack and allowance credits, lots). */
  @Benchmark
  public BalanceView balance(World world, User user) {
    return world.credits.balance(user.account);
  }

  /** The baseline's balance: available and held from the map. */
  @Benchmark
  public long[] baselineBalance(World world, User user) {
    return world.baseline.balance(user.name);
  }
}
