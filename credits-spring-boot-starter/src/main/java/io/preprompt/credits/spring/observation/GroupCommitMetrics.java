package io.preprompt.credits.spring.observation;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.preprompt.credits.jdbc.GroupCommitStats;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.spi.CreditStore;
import java.util.function.ToDoubleFunction;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Publishes the JDBC store's group commit counts, once every bean exists, when the store groups
 * commits (PostgreSQL with {@code credits.store.join-transactions=false}): {@code
 * credits.group.commit.batches}, {@code credits.group.commit.changes}, {@code
 * credits.group.commit.left.out} and {@code credits.group.commit.failed}, each a counter read from
 * the store.
 */
public final class GroupCommitMetrics implements SmartInitializingSingleton {
  private final MeterRegistry registry;
  private final ObjectProvider<CreditStore> store;

  /**
   * Creates the binder.
   *
   * @param registry the application's meter registry
   * @param store the credits store, if any
   */
  public GroupCommitMetrics(MeterRegistry registry, ObjectProvider<CreditStore> store) {
    this.registry = registry;
    this.store = store;
  }

  @Override
  public void afterSingletonsInstantiated() {
    if (!(store.getIfUnique() instanceof JdbcCreditStore jdbc) || jdbc.groupCommitStats().isEmpty()) {
      return;
    }
    counter(jdbc, "credits.group.commit.batches", "batches of two or more changes committed as one transaction",
        GroupCommitStats::batches);
    counter(jdbc, "credits.group.commit.changes", "changes committed in those batches",
        GroupCommitStats::batchedChanges);
    counter(jdbc, "credits.group.commit.left.out", "changes left out of a batch as stale, then committed alone",
        GroupCommitStats::leftOut);
    counter(jdbc, "credits.group.commit.failed", "batches that failed whole, their changes then committed alone",
        GroupCommitStats::failedBatches);
  }

  private void counter(JdbcCreditStore jdbc, String name, String description,
      ToDoubleFunction<GroupCommitStats> count) {
    FunctionCounter.builder(name, jdbc, s -> s.groupCommitStats().map(count::applyAsDouble).orElse(0.0))
        .description(description)
        .register(registry);
  }
}
