package io.preprompt.credits.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.jdbc.PostgresForTests;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spi.BillingGateway;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Two application instances on one PostgreSQL run the housekeeping at once: every overdue hold is
 * released exactly once and every due plan renewed (and charged) exactly once.
 */
class PostgresTwoInstancesTest {
  private static final int ACCOUNTS = 40;
  private static final int HOLDS_PER_ACCOUNT = 10;

  @Test
  void twoInstances_sweepAndRenew_withoutDoubleWork() throws Exception {
    String url = PostgresForTests.newDatabase("starter_two");
    MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
    Map<String, AtomicInteger> charges = new ConcurrentHashMap<>();
    BillingGateway gateway = new CountingGateway(charges);
    ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, CreditsAutoConfiguration.class))
        .withBean(InstantSource.class, () -> clock)
        .withBean(BillingGateway.class, () -> gateway)
        .withPropertyValues("spring.datasource.url=" + url, "spring.datasource.hikari.maximum-pool-size=4",
            "credits.housekeeping.initial-delay=0s", "credits.housekeeping.sweep-interval=20ms",
            "credits.housekeeping.renewal-interval=20ms", "credits.engine.sweep-batch-size=7",
            "credits.plans.renewal-batch-size=3");
    // The setup runs before either instance's housekeeping could find anything due.
    ApplicationContextRunner setup = runner.withPropertyValues("credits.housekeeping.enabled=false");
    setup.run(context -> {
      CreditService credits = context.getBean(CreditService.class);
      PlanService plans = context.getBean(PlanService.class);
      for (int a = 0; a < ACCOUNTS; a++) {
        AccountId account = AccountId.of("user-" + a);
        credits.openAccount(account, IdempotencyKey.of("open-" + a));
        credits.grant(account, LotSource.PROMOTION, CreditAmount.of(1_000), null, IdempotencyKey.of("grant-" + a));
        for (int h = 0; h < HOLDS_PER_ACCOUNT; h++) {
          credits.hold(new HoldRequest(account, CreditAmount.of(10), IdempotencyKey.of("hold-" + a + "-" + h),
              Duration.ofMinutes(5), Map.of()));
        }
        plans.subscribe(account, "studio", IdempotencyKey.of("sub-" + a));
        plans.handle(new BillingEvent.CyclePaid("paid-" + a + "-0", account, 0));
      }
    });
    charges.clear();
    clock.advance(Duration.ofDays(32));   // every hold overdue, every plan due for cycle 1

    // Two instances running at once: the second starts inside the first's run.
    runner.run(first -> runner.run(second -> {
      CreditsHousekeeping one = first.getBean(CreditsHousekeeping.class);
      CreditsHousekeeping two = second.getBean(CreditsHousekeeping.class);
      // A call on an account also releases its overdue holds (a renewal does), so the database, not the
      // sweeps' own counts, tells when everything is done.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while ((activeHolds(url) > 0 || one.totals()[2] + two.totals()[2] < ACCOUNTS) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(500);   // more runs of both, with nothing left to do
      System.out.printf("two instances: holds expired by the sweeps %d + %d, plans renewed %d + %d%n",
          one.totals()[0], two.totals()[0], one.totals()[2], two.totals()[2]);
      assertThat(activeHolds(url)).isZero();
      assertThat(one.totals()[0] + two.totals()[0]).isPositive().isLessThanOrEqualTo(ACCOUNTS * HOLDS_PER_ACCOUNT);
      assertThat(one.totals()[2] + two.totals()[2]).as("plans renewed, both instances together").isEqualTo(ACCOUNTS);
    }));
    assertThat(charges).hasSize(ACCOUNTS).allSatisfy((account, n) ->
        assertThat(n.get()).as("charges of %s for its cycle 1", account).isEqualTo(1));
    try (Connection c = DriverManager.getConnection(url)) {
      assertThat(count(c, "SELECT COUNT(*) FROM credits_ledger WHERE type = 'HOLD_EXPIRED'"))
          .isEqualTo(ACCOUNTS * HOLDS_PER_ACCOUNT);
      assertThat(count(c, "SELECT COUNT(*) FROM (SELECT hold_id FROM credits_ledger WHERE type = 'HOLD_EXPIRED'"
          + " GROUP BY account, hold_id HAVING COUNT(*) > 1) twice")).as("holds released twice").isZero();
      assertThat(count(c, "SELECT COUNT(*) FROM credits_holds WHERE state = 'ACTIVE'")).isZero();
    }
  }

  private static long activeHolds(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      return count(c, "SELECT COUNT(*) FROM credits_holds WHERE state = 'ACTIVE'");
    }
  }

  private static long count(Connection c, String sql) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Counts subscription charges per account and cycle. */
  private record CountingGateway(Map<String, AtomicInteger> charges) implements BillingGateway {
    @Override
    public void chargeSubscription(AccountId account, String tierId, long cycle, Instant start, Instant end,
        String reference) {
      charges.computeIfAbsent(account + "#" + cycle, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void chargePack(AccountId account, String packId, long price, String currency, String reference) {}

    @Override
    public void changePlan(AccountId account, String from, String to, Instant at, String reference) {}

    @Override
    public void cancelSubscription(AccountId account, Instant at, String reference) {}
  }
}
