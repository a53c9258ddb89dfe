package io.preprompt.credits.spring;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.LowBalanceListener;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import io.preprompt.credits.ledger.CreditsListener;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spi.BillingGateway;
import io.preprompt.credits.spi.CreditStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * Auto-configures the library over the application's {@link DataSource}: the JDBC store (dialect
 * detected from the database, schema installed per {@code credits.schema.mode}, calls joining
 * Spring-managed transactions), the {@link Credits} front door built from {@code credits.*}
 * settings, its three services as beans, and the housekeeping. Every bean backs off when the
 * application defines its own of the same type.
 */
@AutoConfiguration(afterName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"})
@EnableConfigurationProperties(CreditsProperties.class)
public final class CreditsAutoConfiguration {

  /**
   * The name of the optional {@link DataSource} bean over a read replica: when the application
   * defines one, the {@code creditsStore} reads history and reports there
   * ({@link JdbcCreditStore#readReplica}) and everything else on the main data source.
   */
  public static final String READ_REPLICA = "creditsReadReplica";
  private static final Logger LOG = LoggerFactory.getLogger(CreditsAutoConfiguration.class);

  /** Creates the configuration; Spring calls it. */
  public CreditsAutoConfiguration() {}

  /**
   * The checked settings: built first, so a bad one stops startup before anything is written.
   *
   * @param properties the bound {@code credits.*} properties
   * @return the settings
   */
  @Bean
  @ConditionalOnMissingBean
  public CreditsSettings creditsSettings(CreditsProperties properties) {
    return CreditsSettings.from(properties);
  }

  /**
   * The JDBC store over the application's data source, with the schema installed per
   * {@code credits.schema.mode}.
   *
   * @param dataSource the application's data source
   * @param readReplica the data source named {@value #READ_REPLICA}, when the application has one
   * @param properties the bound properties
   * @param settings the checked settings (built before anything is written)
   * @return the store
   * @throws CreditsConfigurationException when there is no data source, or the schema cannot be had
   */
  @Bean
  @ConditionalOnMissingBean(CreditStore.class)
  public JdbcCreditStore creditsStore(ObjectProvider<DataSource> dataSource,
      @Qualifier(READ_REPLICA) ObjectProvider<DataSource> readReplica, CreditsProperties properties,
      CreditsSettings settings) {
    DataSource ds = dataSource.getIfUnique();
    if (ds == null) {
      throw new CreditsConfigurationException("spring.datasource.url", dataSource.getIfAvailable() == null
          ? "PrePrompt Credits needs a DataSource: set spring.datasource.url (and add a JDBC driver), or define a"
              + " CreditStore bean of your own"
          : "there are several DataSource beans: mark the one for credits @Primary, or define a CreditStore bean", null);
    }
    JdbcStoreConfig config = storeConfig(ds, properties.store());
    installSchema(ds, config, properties.schema());
    // A bad setup fails here, at startup, not at the first call.
    try {
      JdbcCreditStore store = properties.store().joinTransactions()
          ? JdbcCreditStore.inHostTransaction(new SpringTransactionConnectionProvider(ds), config).checkedAgainst(ds)
          : JdbcCreditStore.create(ds, config);
      DataSource replica = readReplica.getIfAvailable();
      return replica == null || replica == ds ? store : store.readReplica(replica);
    } catch (StoreException e) {
      throw e.code() == ErrorCode.SCHEMA_NOT_INSTALLED
          ? new CreditsConfigurationException("credits.schema.mode", "the credits schema is not installed in this"
              + " database (" + e.getMessage() + "); set credits.schema.mode to install or flyway, or install it"
              + " yourself", e)
          : new CreditsConfigurationException("spring.datasource.url", "the database cannot be used: "
              + e.getMessage(), e);
    }
  }

  /**
   * The front door over the store (decorated by every {@link CreditsDecorator}), with the settings,
   * the application's clock ({@link InstantSource} bean, else the system clock), billing gateway
   * (called after the caller's transaction commits), credits listeners and low-balance listeners.
   *
   * @param store the store
   * @param settings the checked settings
   * @param clock the application's clock, if any
   * @param billing the application's billing gateway, if any
   * @param listeners the application's credits listeners
   * @param lowBalance the application's low-balance listeners
   * @param decorators the decorators, in order
   * @return the library
   */
  @Bean
  @ConditionalOnMissingBean
  public Credits credits(CreditStore store, CreditsSettings settings, ObjectProvider<InstantSource> clock,
      ObjectProvider<BillingGateway> billing, ObjectProvider<CreditsListener> listeners,
      ObjectProvider<LowBalanceListener> lowBalance, ObjectProvider<CreditsDecorator> decorators) {
    Credits.Builder b = Credits.builder()
        .store(decorated(store, decorators, CreditsDecorator::store))
        .clock(clock.getIfAvailable(InstantSource::system))
        .config(settings.engine())
        .reuseCommittedAccounts(settings.reuseCommittedAccounts())
        .tiers(settings.tiers())
        .packs(settings.packs())
        .plans(settings.plans())
        .rateCard(settings.rateCard())
        .gate(settings.gate());
    BillingGateway gateway = billing.getIfUnique();
    if (gateway != null) {
      b.billing(new AfterCommitBillingGateway(gateway));
    }
    listeners.orderedStream().forEach(b::listener);
    lowBalance.orderedStream().forEach(b::lowBalanceListener);
    return b.build();
  }

  /**
   * The credit service: balances, holds, the ledger.
   *
   * @param credits the library
   * @param decorators the decorators, in order
   * @return the service
   */
  @Bean
  @ConditionalOnMissingBean
  public CreditService creditService(Credits credits, ObjectProvider<CreditsDecorator> decorators) {
    return decorated(credits.credits(), decorators, CreditsDecorator::credits);
  }

  /**
   * The plan service: tiers, signup grant, cycles, packs, billing events.
   *
   * @param credits the library
   * @param decorators the decorators, in order
   * @return the service
   */
  @Bean
  @ConditionalOnMissingBean
  public PlanService planService(Credits credits, ObjectProvider<CreditsDecorator> decorators) {
    return decorated(credits.plans(), decorators, CreditsDecorator::plans);
  }

  /**
   * The generation gate: estimates, authorizations, upgrade offers, history.
   *
   * @param credits the library
   * @param decorators the decorators, in order
   * @return the gate
   */
  @Bean
  @ConditionalOnMissingBean
  public GenerationGate generationGate(Credits credits, ObjectProvider<CreditsDecorator> decorators) {
    return decorated(credits.gate(), decorators, CreditsDecorator::gate);
  }

  /**
   * The scheduled sweep and renewals; {@code credits.housekeeping.enabled=false} turns them off.
   *
   * @param credits the credit service
   * @param plans the plan service
   * @param properties the bound properties
   * @return the housekeeping, started with the context
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "credits.housekeeping.enabled", matchIfMissing = true)
  public CreditsHousekeeping creditsHousekeeping(CreditService credits, PlanService plans,
      CreditsProperties properties) {
    return new CreditsHousekeeping(credits, plans, properties.housekeeping());
  }

  private static <T> T decorated(T piece, ObjectProvider<CreditsDecorator> decorators,
      BiFunction<CreditsDecorator, T, T> wrap) {
    T result = piece;
    for (CreditsDecorator d : decorators.orderedStream().toList()) {
      result = wrap.apply(d, result);
    }
    return result;
  }

  static JdbcStoreConfig storeConfig(DataSource ds, CreditsProperties.Store s) {
    JdbcStoreConfig.Dialect dialect = s.dialect() != null ? s.dialect() : detect(ds);
    JdbcStoreConfig.Builder b = JdbcStoreConfig.builder().dialect(dialect);
    try {
      if (s.schemaName() != null) {
        b.schema(s.schemaName());
      }
      b.tablePrefix(s.tablePrefix());
    } catch (RuntimeException e) {
      throw new CreditsConfigurationException(s.schemaName() != null && !s.schemaName().matches(
          JdbcStoreConfig.IDENTIFIER_PATTERN) ? "credits.store.schema-name" : "credits.store.table-prefix",
          String.valueOf(e.getMessage()), e);
    }
    if (s.groupCommit() != null) {
      b.groupCommit(s.groupCommit());
    }
    if (s.groupCommitWriters() != null) {
      try {
        b.groupCommitWriters(s.groupCommitWriters());
      } catch (RuntimeException e) {
        throw new CreditsConfigurationException("credits.store.group-commit-writers", String.valueOf(e.getMessage()), e);
      }
    }
    return b.build();
  }

  private static JdbcStoreConfig.Dialect detect(DataSource ds) {
    String product;
    try (Connection c = ds.getConnection()) {
      product = c.getMetaData().getDatabaseProductName();
    } catch (SQLException e) {
      throw new CreditsConfigurationException("spring.datasource.url", "cannot reach the database to detect its"
          + " dialect (" + e.getMessage() + "); set credits.store.dialect to start without it", e);
    }
    String p = product.toLowerCase(Locale.ROOT);
    if (p.contains("postgresql")) {
      return JdbcStoreConfig.Dialect.POSTGRESQL;
    }
    if (p.equals("h2")) {
      return JdbcStoreConfig.Dialect.H2;
    }
    throw new CreditsConfigurationException("spring.datasource.url", "PrePrompt Credits runs on PostgreSQL or H2,"
        + " not on " + product, null);
  }

  private static void installSchema(DataSource ds, JdbcStoreConfig config, CreditsProperties.Schema schema) {
    switch (schema.mode()) {
      case INSTALL -> {
        try {
          int version = JdbcCreditStore.install(ds, config);
          LOG.info("credits schema at version {} ({})", version, config.dialect());
        } catch (StoreException e) {
          throw new CreditsConfigurationException("credits.schema.mode", "installing the schema failed: "
              + e.getMessage(), e);
        }
      }
      case FLYWAY -> {
        if (!ClassUtils.isPresent("org.flywaydb.core.Flyway", CreditsAutoConfiguration.class.getClassLoader())) {
          throw new CreditsConfigurationException("credits.schema.mode", "flyway needs org.flywaydb:flyway-core"
              + " (and flyway-database-postgresql on PostgreSQL) on the class path", null);
        }
        FlywaySchema.migrate(ds, config, schema.flywayTable());
      }
      case NONE -> LOG.debug("credits schema left to the application");
    }
  }

  /** Runs the library's migrations with Flyway; loaded only when Flyway is on the class path. */
  static final class FlywaySchema {
    private FlywaySchema() {}

    static void migrate(DataSource ds, JdbcStoreConfig config, String table) {
      org.flywaydb.core.Flyway.configure()
          .dataSource(ds)
          .locations("classpath:" + config.dialect().migrationLocation())
          .table(table)
          .placeholders(Map.of("credits_schema", config.schema().orElse("public"),
              "credits_prefix", config.tablePrefix()))
          .createSchemas(config.schema().isPresent())
          .schemas(config.schema().map(s -> List.of(s).toArray(String[]::new)).orElse(new String[0]))
          .load()
          .migrate();
    }
  }
}
