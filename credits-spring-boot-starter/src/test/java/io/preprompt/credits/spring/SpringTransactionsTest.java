package io.preprompt.credits.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.CommittedChange;
import io.preprompt.credits.ledger.CreditsListener;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spi.BillingGateway;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@code @Transactional} host code and credits changes commit or roll back together; listeners and
 * the billing gateway hear of a change only after the commit.
 */
class SpringTransactionsTest {
  private static final AccountId ANA = AccountId.of("ana");

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
          DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
          TransactionAutoConfiguration.class, CreditsAutoConfiguration.class))
      .withUserConfiguration(Host.class)
      .withPropertyValues("credits.housekeeping.enabled=false");

  /** What the host heard, in order. */
  static final List<String> HEARD = new CopyOnWriteArrayList<>();

  /** The host's own code: orders in its table, credits granted in the same transaction. */
  static class OrderDesk {
    private final JdbcTemplate jdbc;
    private final CreditService credits;

    OrderDesk(JdbcTemplate jdbc, CreditService credits) {
      this.jdbc = jdbc;
      this.credits = credits;
    }

    @Transactional
    public void fulfil(String order, long amount, boolean failAfter) {
      jdbc.update("INSERT INTO orders (id) VALUES (?)", order);
      credits.grant(ANA, LotSource.PACK, CreditAmount.of(amount), null, IdempotencyKey.of("order-" + order));
      HEARD.add("granted in transaction " + order);
      if (failAfter) {
        throw new IllegalStateException("the host's own work failed after the grant");
      }
    }

    @Transactional
    public void buyPack(String order) {
      jdbc.update("INSERT INTO orders (id) VALUES (?)", order);
      HEARD.add("ordering " + order);
    }
  }

  @Configuration
  static class Host {
    @Bean
    OrderDesk orderDesk(JdbcTemplate jdbc, CreditService credits) {
      jdbc.execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(40) PRIMARY KEY)");
      return new OrderDesk(jdbc, credits);
    }

    @Bean
    CreditsListener recorder() {
      return (CommittedChange change) -> HEARD.add("listener: " + change.account() + " " + change.balance().available());
    }

    @Bean
    BillingGateway gateway() {
      return new BillingGateway() {
        @Override
        public void chargeSubscription(AccountId account, String tierId, long cycle, Instant start, Instant end,
            String reference) {
          HEARD.add("charge subscription " + tierId);
        }

        @Override
        public void chargePack(AccountId account, String packId, long price, String currency, String reference) {
          HEARD.add("charge pack " + packId);
        }

        @Override
        public void changePlan(AccountId account, String from, String to, Instant at, String reference) {}

        @Override
        public void cancelSubscription(AccountId account, Instant at, String reference) {}
      };
    }
  }

  private static long count(JdbcTemplate jdbc, String sql) {
    Long n = jdbc.queryForObject(sql, Long.class);
    return n == null ? 0 : n;
  }

  @Test
  void commit_keepsBoth_andListenersHearAfterTheCommit() {
    HEARD.clear();
    runner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:tx-commit;DB_CLOSE_DELAY=-1").run(context -> {
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      HEARD.clear();
      context.getBean(OrderDesk.class).fulfil("o-1", 300, false);
      assertThat(HEARD).containsExactly("granted in transaction o-1", "listener: ana 300");
      JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
      assertThat(count(jdbc, "SELECT COUNT(*) FROM orders")).isEqualTo(1);
      assertThat(credits.balance(ANA).available()).isEqualTo(300);
    });
  }

  @Test
  void rollback_keepsNeither_andNoListenerHears() {
    HEARD.clear();
    runner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:tx-rollback;DB_CLOSE_DELAY=-1").run(context -> {
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      HEARD.clear();
      OrderDesk desk = context.getBean(OrderDesk.class);
      assertThatThrownBy(() -> desk.fulfil("o-2", 300, true)).isInstanceOf(IllegalStateException.class);
      assertThat(HEARD).containsExactly("granted in transaction o-2");
      JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
      assertThat(count(jdbc, "SELECT COUNT(*) FROM orders")).isZero();
      assertThat(credits.balance(ANA).available()).isZero();
      assertThat(count(jdbc, "SELECT COUNT(*) FROM credits_ledger")).as("no ledger row").isZero();
      // The same key again, now committed: the rolled-back call left no idempotency record behind.
      desk.fulfil("o-2", 300, false);
      assertThat(credits.balance(ANA).available()).isEqualTo(300);
    });
  }

  @Test
  void billingGateway_isCalledOnlyAfterTheCommit() {
    HEARD.clear();
    runner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:tx-billing;DB_CLOSE_DELAY=-1").run(context -> {
      PlanService plans = context.getBean(PlanService.class);
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      org.springframework.transaction.support.TransactionTemplate tx = new org.springframework.transaction.support
          .TransactionTemplate(context.getBean(org.springframework.transaction.PlatformTransactionManager.class));
      HEARD.clear();
      tx.executeWithoutResult(status -> {
        plans.subscribe(ANA, "studio", IdempotencyKey.of("sub-rolled-back"));
        HEARD.add("subscribed, not committed");
        status.setRollbackOnly();
      });
      assertThat(HEARD).as("a rolled-back subscription is never charged, nor heard of")
          .containsExactly("subscribed, not committed");
      tx.executeWithoutResult(status -> {
        plans.subscribe(ANA, "studio", IdempotencyKey.of("sub"));
        HEARD.add("subscribed, not committed");
      });
      assertThat(HEARD.stream().filter(h -> !h.startsWith("listener")))
          .containsExactly("subscribed, not committed", "subscribed, not committed", "charge subscription studio");
    });
  }
}
