package io.preprompt.credits.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Bad configuration stops the application at startup, naming the property, with nothing written. */
class StartupValidationTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private static String newH2() {
    return "jdbc:h2:mem:validation" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
  }

  private static ApplicationContextRunner runner(String url) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, CreditsAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=" + url, "credits.housekeeping.enabled=false");
  }

  private static int creditsTables(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        ResultSet rs = c.getMetaData().getTables(null, null, "CREDITS_%", null)) {
      int n = 0;
      while (rs.next()) {
        n++;
      }
      return n;
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      credits.packs[0].tiers[0]            | credits.packs[0].id=boost;credits.packs[0].credits=500;credits.packs[0].price-minor=500;credits.packs[0].currency=USD;credits.packs[0].tiers[0]=platinum
      credits.packs[0].price-minor         | credits.packs[0].id=boost;credits.packs[0].credits=500;credits.packs[0].price-minor=-5;credits.packs[0].currency=USD
      credits.packs[0].credits             | credits.packs[0].id=boost;credits.packs[0].credits=0;credits.packs[0].price-minor=500;credits.packs[0].currency=USD
      credits.packs[0]                     | credits.packs[0].id=boost;credits.packs[0].credits=5;credits.packs[0].price-minor=500;credits.packs[0].currency=dollars
      credits.engine.default-hold-ttl      | credits.engine.default-hold-ttl=0s
      credits.engine.max-commit-attempts   | credits.engine.max-commit-attempts=0
      credits.rate-card.rates[0].per-call  | credits.rate-card.rates[0].kind=IMAGE;credits.rate-card.rates[0].model=pro;credits.rate-card.rates[0].per-call=-1
      credits.rate-card.rates[0].resolution-factors.4k | credits.rate-card.rates[0].kind=IMAGE;credits.rate-card.rates[0].model=pro;credits.rate-card.rates[0].per-call=100;credits.rate-card.rates[0].resolution-factors.4k=three
      credits.rate-card.rates[0].kind      | credits.rate-card.rates[0].model=pro;credits.rate-card.rates[0].per-call=100
      credits.tiers                        | credits.tiers[0].id=free;credits.tiers[0].name=Free
      credits.tiers[1].monthly-allowance   | credits.tiers[0].id=free;credits.tiers[0].name=Free;credits.tiers[1].id=pro;credits.tiers[1].name=Pro;credits.tiers[1].paid=true;credits.tiers[1].monthly-allowance=-10
      credits.plans.signup-grant           | credits.plans.signup-grant=-1
      credits.gate.hold-deadlines.image    | credits.gate.hold-deadlines.image=-5m
      credits.gate.hold-deadlines.chat     | credits.gate.hold-deadlines.chat=0s
      credits.gate.default-hold-deadline   | credits.gate.default-hold-deadline=-1m
      credits.rate-card.rates[0].kind      | credits.rate-card.rates[0].kind=chat completion;credits.rate-card.rates[0].model=m;credits.rate-card.rates[0].per-call=100
      credits.rate-card.rates[0].output-per-million | credits.rate-card.rates[0].kind=chat;credits.rate-card.rates[0].model=m;credits.rate-card.rates[0].input-per-million=100
      credits.rate-card.rates[0].per-call  | credits.rate-card.rates[0].kind=chat;credits.rate-card.rates[0].model=m;credits.rate-card.rates[0].per-call=100;credits.rate-card.rates[0].input-per-million=100;credits.rate-card.rates[0].output-per-million=100
      credits.rate-card.rates[0].reasoning-per-million | credits.rate-card.rates[0].kind=chat;credits.rate-card.rates[0].model=m;credits.rate-card.rates[0].input-per-million=100;credits.rate-card.rates[0].output-per-million=100;credits.rate-card.rates[0].reasoning-per-million=-3
      credits.tiers[0].entitlements.models-by-kind.1chat | credits.tiers[0].id=free;credits.tiers[0].name=Free;credits.tiers[0].entitlements.models-by-kind.1chat[0]=m;credits.tiers[1].id=pro;credits.tiers[1].name=Pro;credits.tiers[1].paid=true
      credits.store.table-prefix           | credits.store.table-prefix=Credits-
      credits.housekeeping.sweep-interval  | credits.housekeeping.enabled=true;credits.housekeeping.sweep-interval=0s
      credits.overage.policy               | credits.overage.policy=sometimes
      credits.overage.policy               | credits.overage.policy=allow-debt:-5
      credits.overage.policy               | credits.overage.policy=allow-debt:lots
      credits.tiers[1].overage             | credits.tiers[0].id=free;credits.tiers[0].name=Free;credits.tiers[1].id=pro;credits.tiers[1].name=Pro;credits.tiers[1].paid=true;credits.tiers[1].overage=allow-debt:2000000000000
      """)
  void badSetting_failsAtStartup_namingTheProperty_beforeAnythingIsWritten(String property, String settings)
      throws Exception {
    String url = newH2();
    runner(url).withPropertyValues(settings.split(";")).run(context -> {
      assertThat(context).hasFailed();
      Throwable failure = context.getStartupFailure();
      CreditsConfigurationException cause = findCause(failure);
      assertThat(cause).as("the cause of %s", failure).isNotNull();
      assertThat(cause.property()).isEqualTo(property);
      assertThat(cause.getMessage()).startsWith(property + ": ");
      FailureAnalysis analysis = new CreditsFailureAnalyzer().analyze(failure);
      assertThat(analysis.getDescription()).contains(property);
      assertThat(analysis.getAction()).contains("'" + property + "'");
    });
    assertThat(creditsTables(url)).as("no table written").isZero();
  }

  @Test
  void missingDataSource_failsNamingTheDataSourceProperty() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CreditsAutoConfiguration.class))
        .run(context -> {
          assertThat(context).hasFailed();
          CreditsConfigurationException cause = findCause(context.getStartupFailure());
          assertThat(cause).isNotNull();
          assertThat(cause.property()).isEqualTo("spring.datasource.url");
          assertThat(cause.getMessage()).contains("needs a DataSource");
        });
  }

  @Test
  void schemaModeNone_onAnEmptyDatabase_failsAtStartup_andWritesNothing() throws Exception {
    String url = newH2();
    runner(url).withPropertyValues("credits.schema.mode=none").run(context -> {
      assertThat(context).hasFailed();
      CreditsConfigurationException cause = findCause(context.getStartupFailure());
      assertThat(cause).isNotNull();
      assertThat(cause.property()).isEqualTo("credits.schema.mode");
      assertThat(cause.getMessage()).contains("not installed");
    });
    assertThat(creditsTables(url)).isZero();
  }

  @Test
  void aGoodConfiguration_startsAndInstalls() throws Exception {
    String url = newH2();
    runner(url).run(context -> assertThat(context).hasNotFailed());
    assertThat(creditsTables(url)).isPositive();
  }

  private static CreditsConfigurationException findCause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CreditsConfigurationException c) {
        return c;
      }
    }
    return null;
  }
}
