package io.preprompt.credits.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.jdbc.GroupCommitStats;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.PostgresForTests;
import io.preprompt.credits.spring.CreditsAutoConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The JDBC store's group commit counts, as meters, when the store groups commits. */
class GroupCommitMetricsTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
          CreditsObservationAutoConfiguration.class, CreditsAutoConfiguration.class))
      .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
      .withPropertyValues("credits.housekeeping.enabled=false");

  @Test
  void onPostgresql_withoutHostTransactions_theCountsAreMeters() {
    runner.withPropertyValues("spring.datasource.url=" + PostgresForTests.newDatabase("starter_group"),
        "spring.datasource.hikari.maximum-pool-size=20", "credits.store.join-transactions=false")
        .run(context -> {
          assertThat(context).hasNotFailed();
          CreditService credits = context.getBean(CreditService.class);
          int threads = 16;
          for (int t = 0; t < threads; t++) {
            AccountId account = AccountId.of("user-" + t);
            credits.openAccount(account, IdempotencyKey.of("open-" + t));
            credits.grant(account, LotSource.PROMOTION, CreditAmount.of(10_000), null, IdempotencyKey.of("g-" + t));
          }
          ExecutorService pool = Executors.newFixedThreadPool(threads);
          List<Future<?>> done = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            AccountId account = AccountId.of("user-" + t);
            int n = t;
            done.add(pool.submit(() -> {
              for (int i = 0; i < 30; i++) {
                var hold = credits.hold(HoldRequest.of(account, CreditAmount.of(1), IdempotencyKey.of("h-" + n + "-" + i)));
                credits.settle(account, hold.id(), IdempotencyKey.of("s-" + n + "-" + i));
              }
            }));
          }
          for (Future<?> f : done) {
            f.get();
          }
          pool.shutdown();
          GroupCommitStats stats = ((JdbcCreditStore) context.getBean(io.preprompt.credits.spi.CreditStore.class))
              .groupCommitStats().orElseThrow();
          MeterRegistry meters = context.getBean(MeterRegistry.class);
          assertThat(meters.get("credits.group.commit.batches").functionCounter().count()).isEqualTo(stats.batches());
          assertThat(meters.get("credits.group.commit.changes").functionCounter().count())
              .isEqualTo(stats.batchedChanges());
          assertThat(meters.get("credits.group.commit.left.out").functionCounter().count()).isEqualTo(stats.leftOut());
          assertThat(meters.get("credits.group.commit.failed").functionCounter().count())
              .isEqualTo(stats.failedBatches());
          System.out.println("group commit at 16 threads through the starter: " + stats);
        });
  }

  @Test
  void onH2_thereIsNoGroupCommit_andNoMeter() {
    runner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:nogroup;DB_CLOSE_DELAY=-1").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(MeterRegistry.class).find("credits.group.commit.batches").meter()).isNull();
    });
  }
}
