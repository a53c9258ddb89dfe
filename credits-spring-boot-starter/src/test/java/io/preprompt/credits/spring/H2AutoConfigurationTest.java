package io.preprompt.credits.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.gate.Estimate;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.InstantSource;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class H2AutoConfigurationTest {
  private static final AccountId ANA = AccountId.of("ana");

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, CreditsAutoConfiguration.class))
      .withPropertyValues("credits.housekeeping.enabled=false");

  private static String h2(String name) {
    return "spring.datasource.url=jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
  }

  @Test
  void givenADataSource_theWholeLibraryWorks() {
    runner.withPropertyValues(h2("smoke")).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(CreditStore.class).hasSingleBean(Credits.class)
          .hasSingleBean(CreditService.class).hasSingleBean(PlanService.class).hasSingleBean(GenerationGate.class);
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(40), null, IdempotencyKey.of("grant"));
      assertThat(credits.balance(ANA).available()).isEqualTo(40);
      context.getBean(PlanService.class).verifyEmail(ANA, IdempotencyKey.of("verify"));
      assertThat(credits.balance(ANA).available()).isEqualTo(240);
    });
  }

  @Test
  void settingsFromProperties_reachTheLibrary() {
    runner.withPropertyValues(h2("settings"),
        "credits.plans.signup-grant=50",
        "credits.engine.default-hold-ttl=3m",
        "credits.tiers[0].id=free", "credits.tiers[0].name=Free",
        "credits.tiers[0].entitlements.models=basic", "credits.tiers[0].entitlements.resolutions=720p",
        "credits.tiers[1].id=maker", "credits.tiers[1].name=Maker", "credits.tiers[1].paid=true",
        "credits.tiers[1].monthly-allowance=1000", "credits.tiers[1].entitlements.models=basic,fancy",
        "credits.tiers[1].entitlements.resolutions=720p,1080p",
        "credits.tiers[2].id=atelier", "credits.tiers[2].name=Atelier", "credits.tiers[2].paid=true",
        "credits.tiers[2].monthly-allowance=5000", "credits.tiers[2].entitlements.models=basic,fancy",
        "credits.tiers[2].entitlements.resolutions=720p,1080p",
        "credits.packs[0].id=big", "credits.packs[0].credits=2000", "credits.packs[0].price-minor=1900",
        "credits.packs[0].currency=EUR", "credits.packs[0].tiers=atelier",
        "credits.rate-card.version=2026-12", "credits.rate-card.rates[0].kind=IMAGE",
        "credits.rate-card.rates[0].model=basic", "credits.rate-card.rates[0].per-call=7000",
        "credits.rate-card.rates[0].resolution-factors.720p=1", "credits.rate-card.rates[0].resolution-factors.1080p=3/2",
        "credits.rate-card.rates[1].kind=IMAGE", "credits.rate-card.rates[1].model=fancy",
        "credits.rate-card.rates[1].per-call=9000",
        "credits.rate-card.rates[1].resolution-factors.720p=1", "credits.rate-card.rates[1].resolution-factors.1080p=2")
        .run(context -> {
          assertThat(context).hasNotFailed();
          PlanService plans = context.getBean(PlanService.class);
          CreditService credits = context.getBean(CreditService.class);
          GenerationGate gate = context.getBean(GenerationGate.class);
          assertThat(plans.tiers().paidTiers()).extracting(t -> t.id()).containsExactly("maker", "atelier");
          credits.openAccount(ANA, IdempotencyKey.of("open"));
          plans.verifyEmail(ANA, IdempotencyKey.of("verify"));
          assertThat(credits.balance(ANA).available()).isEqualTo(50);
          Estimate estimate = gate.rateCard().estimate(GenerationRequest.image("basic", "1080p"));
          assertThat(estimate.credits()).as("7000 millicredits × 3/2, rounded up").isEqualTo(11);
          assertThat(gate.rateCard().version()).isEqualTo("2026-12");
          // The pack is sold to atelier subscribers only.
          plans.subscribe(ANA, "maker", IdempotencyKey.of("sub"));
          plans.handle(new BillingEvent.CyclePaid("paid-0", ANA, 0));
          assertThatThrownBy(() -> plans.buyPack(ANA, "big", IdempotencyKey.of("pack")))
              .isInstanceOfSatisfying(StateException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PACK_NOT_FOR_TIER));
        });
  }

  @Configuration
  static class OwnStore {
    @Bean
    CreditStore myStore(DataSource dataSource) {
      JdbcCreditStore.install(dataSource, io.preprompt.credits.jdbc.JdbcStoreConfig.builder()
          .dialect(io.preprompt.credits.jdbc.JdbcStoreConfig.Dialect.H2).tablePrefix("mine_").build());
      return JdbcCreditStore.create(dataSource, io.preprompt.credits.jdbc.JdbcStoreConfig.builder()
          .dialect(io.preprompt.credits.jdbc.JdbcStoreConfig.Dialect.H2).tablePrefix("mine_").build());
    }

    @Bean
    InstantSource clock() {
      return MutableClock.at("2026-03-01T10:00:00Z");
    }
  }

  @Configuration
  static class OwnService {
    @Bean
    CreditService myService(Credits credits) {
      return credits.credits();
    }
  }

  @Test
  void theHostsOwnBeans_win() {
    runner.withPropertyValues(h2("own")).withUserConfiguration(OwnStore.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(CreditStore.class).hasBean("myStore").doesNotHaveBean("creditsStore");
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("grant"));
      assertThat(credits.history(ANA, io.preprompt.credits.ledger.LedgerQuery.firstPage(10)).entries()).isNotEmpty().allSatisfy(e -> assertThat(e.at())
          .isEqualTo(java.time.Instant.parse("2026-03-01T10:00:00Z")));
      try (Connection c = DriverManager.getConnection("jdbc:h2:mem:own", "sa", "");
          ResultSet rs = c.getMetaData().getTables(null, null, "CREDITS_%", null)) {
        assertThat(rs.next()).as("the starter installed nothing of its own").isFalse();
      }
    });
    runner.withPropertyValues(h2("own-service"))
        .withUserConfiguration(OwnService.class)
        .run(context -> assertThat(context).getBean(CreditService.class).isSameAs(context.getBean("myService")));
  }

  @Test
  void flywayMode_runsTheMigrationsWithTheirOwnHistory() throws Exception {
    runner.withPropertyValues(h2("flyway"), "credits.schema.mode=flyway").run(context -> {
      assertThat(context).hasNotFailed();
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      assertThat(credits.balance(ANA).available()).isZero();
    });
    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:flyway", "sa", "");
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT \"version\" FROM \"credits_schema_history\" WHERE \"version\" IS NOT NULL"
                + " ORDER BY \"installed_rank\"")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("1");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("2");
    }
  }

  @Test
  void housekeeping_sweepsOnItsOwn() {
    MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
    runner.withPropertyValues(h2("housekeeping"), "credits.housekeeping.enabled=true",
        "credits.housekeeping.initial-delay=0s", "credits.housekeeping.sweep-interval=50ms")
        .withBean(InstantSource.class, () -> clock)
        .run(context -> {
          CreditService credits = context.getBean(CreditService.class);
          credits.openAccount(ANA, IdempotencyKey.of("open"));
          credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
          credits.hold(new io.preprompt.credits.balance.HoldRequest(ANA, CreditAmount.of(60),
              IdempotencyKey.of("hold"), Duration.ofMinutes(5), java.util.Map.of()));
          assertThat(credits.balance(ANA).available()).isEqualTo(40);
          clock.advance(Duration.ofMinutes(6));
          CreditsHousekeeping housekeeping = context.getBean(CreditsHousekeeping.class);
          long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
          while (housekeeping.totals()[0] == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
          }
          assertThat(housekeeping.totals()[0]).as("holds the scheduled sweep expired").isEqualTo(1);
          assertThat(credits.history(ANA, io.preprompt.credits.ledger.LedgerQuery.firstPage(10)).entries())
              .extracting(e -> e.type()).contains(io.preprompt.credits.ledger.EntryType.HOLD_EXPIRED);
          assertThat(credits.balance(ANA).available()).isEqualTo(100);
        });
  }

  @Configuration
  static class WithReadReplica {
    private static final io.preprompt.credits.jdbc.JdbcStoreConfig H2 =
        io.preprompt.credits.jdbc.JdbcStoreConfig.of(io.preprompt.credits.jdbc.JdbcStoreConfig.Dialect.H2);

    @Bean
    @org.springframework.context.annotation.Primary
    DataSource primary() {
      org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
      ds.setURL("jdbc:h2:mem:rr-primary;DB_CLOSE_DELAY=-1");
      return ds;
    }

    /** A replica that has seen the account opened and its first grant only, as one behind would. */
    @Bean(CreditsAutoConfiguration.READ_REPLICA)
    DataSource replica() {
      org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
      ds.setURL("jdbc:h2:mem:rr-replica;DB_CLOSE_DELAY=-1");
      JdbcCreditStore.install(ds, H2);
      CreditService behind = CreditService.builder().store(JdbcCreditStore.create(ds, H2))
          .clock(MutableClock.at("2026-03-01T10:00:00Z")).build();
      behind.openAccount(ANA, IdempotencyKey.of("open"));
      behind.grant(ANA, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("grant-1"));
      return ds;
    }
  }

  @Test
  void aReadReplicaBean_servesHistory_andNothingElse() {
    runner.withUserConfiguration(WithReadReplica.class).run(context -> {
      assertThat(context).hasNotFailed();
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("grant-1"));
      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(7), null, IdempotencyKey.of("grant-2"));
      assertThat(credits.balance(ANA).available()).as("the balance, from the primary").isEqualTo(12);
      assertThat(credits.history(ANA, io.preprompt.credits.ledger.LedgerQuery.firstPage(10)).entries())
          .as("history, from the replica").extracting(e -> e.key() == null ? null : e.key().value())
          .contains("grant-1").doesNotContain("grant-2");
    });
  }
}
