package io.preprompt.credits.spring;

import io.preprompt.credits.jdbc.JdbcStoreConfig;
import io.preprompt.credits.plans.UpgradePolicy;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code credits.*} settings of {@code application.yml}. Every setting is optional: what is
 * left out takes the library's default ({@code CreditsConfig.defaults()}, the default tier and pack
 * catalogs, {@code RateCard.defaults()}, ...). Values are checked by the library's own factories at
 * startup; a bad one stops the application with a message naming its property, before anything is
 * written.
 *
 * @param schema how the database schema is installed
 * @param store the JDBC store
 * @param engine the engine's settings
 * @param plans the plan settings (signup grant, upgrade policy, billing time zone)
 * @param tiers the tier catalog, replacing the default one when given
 * @param packs the pack catalog, replacing the default one when given
 * @param rateCard the rate card, replacing the default one when it names rates
 * @param gate the gate's settings
 * @param housekeeping the scheduled hold sweep and renewals
 * @param overage what a settle above its hold does with the difference, unless the account's tier
 *     or the account itself names a policy
 */
@ConfigurationProperties("credits")
public record CreditsProperties(@DefaultValue Schema schema, @DefaultValue Store store, @DefaultValue Engine engine,
    @DefaultValue Plans plans, @DefaultValue List<TierSettings> tiers, @DefaultValue List<PackSettings> packs,
    @DefaultValue RateCardSettings rateCard, @DefaultValue Gate gate, @DefaultValue Housekeeping housekeeping,
    @DefaultValue Overage overage) {

  /** How the schema gets into the database. */
  public enum SchemaMode {
    /** The library's installer creates or upgrades it at startup (the default). */
    INSTALL,
    /** Flyway runs the library's migrations at startup, with a history table of their own. */
    FLYWAY,
    /** The host installs it; the store checks at startup that it is there. */
    NONE
  }

  /**
   * How the schema is installed.
   *
   * @param mode {@code install} (default), {@code flyway} or {@code none}
   * @param flywayTable Flyway's history table for the library's migrations, apart from the host's
   */
  public record Schema(@DefaultValue("install") SchemaMode mode,
      @DefaultValue("credits_schema_history") String flywayTable) {}

  /**
   * The JDBC store.
   *
   * @param dialect the SQL dialect; detected from the database when left out
   * @param schemaName the database schema of the tables; the connection's default when left out
   * @param tablePrefix the prefix of every table name
   * @param joinTransactions whether credits calls join the caller's Spring transaction (default); when
   *     false each call commits on its own connection and concurrent calls may share a group commit
   * @param groupCommit group commit on or off when not joining transactions; the adapter's default
   *     (on for PostgreSQL) when left out
   * @param groupCommitWriters how many group-commit batches are written at once
   */
  public record Store(JdbcStoreConfig.@Nullable Dialect dialect, @Nullable String schemaName,
      @DefaultValue(JdbcStoreConfig.DEFAULT_TABLE_PREFIX) String tablePrefix,
      @DefaultValue("true") boolean joinTransactions, @Nullable Boolean groupCommit,
      @Nullable Integer groupCommitWriters) {}

  /**
   * The engine's settings; each left out keeps the library's default.
   *
   * @param defaultHoldTtl how long a hold lives when the call names no deadline
   * @param maxHoldTtl the longest a hold may live
   * @param maxCommitAttempts how often a call is tried against concurrent changes
   * @param sweepBatchSize holds a sweep ends per batch
   * @param reuseCommittedAccounts whether a call may start from this process's last commit
   */
  public record Engine(@Nullable Duration defaultHoldTtl, @Nullable Duration maxHoldTtl,
      @Nullable Integer maxCommitAttempts, @Nullable Integer sweepBatchSize,
      @DefaultValue("true") boolean reuseCommittedAccounts) {}

  /**
   * The plan settings; each left out keeps the library's default.
   *
   * @param signupGrant credits granted once on email verification
   * @param upgradePolicy when an upgrade takes effect
   * @param zone the billing time zone of cycles
   * @param renewalBatchSize accounts renewed per batch
   */
  public record Plans(@Nullable Long signupGrant, @Nullable UpgradePolicy upgradePolicy, @Nullable ZoneId zone,
      @Nullable Integer renewalBatchSize) {}

  /**
   * A tier.
   *
   * @param id the stable id
   * @param name the display name
   * @param paid whether it is a paid tier (one free tier is required)
   * @param monthlyAllowance credits granted each cycle (paid tiers)
   * @param rolloverCap the most unused allowance carried into the next cycle; none when left out
   * @param packsAllowed whether its subscribers may buy packs
   * @param entitlements what it allows
   * @param overage the overage policy of its subscribers, written like {@code credits.overage.policy};
   *     {@code credits.overage.policy} applies when left out
   */
  public record TierSettings(@Nullable String id, @Nullable String name, @DefaultValue("false") boolean paid,
      @DefaultValue("0") long monthlyAllowance, @Nullable Long rolloverCap,
      @DefaultValue("true") boolean packsAllowed, @DefaultValue EntitlementSettings entitlements,
      @Nullable String overage) {}

  /**
   * A tier's entitlements.
   *
   * @param resolutions resolutions it may generate
   * @param maxClipSeconds the longest clip
   * @param maxVariants variants per request
   * @param models models it may use
   * @param features feature flags
   * @param modelsByKind models it may use for a kind ({@code chat}), instead of {@code models}
   */
  public record EntitlementSettings(@DefaultValue List<String> resolutions, @DefaultValue("0") int maxClipSeconds,
      @DefaultValue("1") int maxVariants, @DefaultValue List<String> models, @DefaultValue List<String> features,
      @DefaultValue Map<String, List<String>> modelsByKind) {}

  /**
   * A credit pack.
   *
   * @param id the stable id
   * @param credits credits granted when paid
   * @param priceMinor the price in the currency's minor unit (cents)
   * @param currency an ISO 4217 code
   * @param tiers the tiers whose subscribers may buy it; every tier that allows packs when empty
   */
  public record PackSettings(@Nullable String id, @DefaultValue("0") long credits,
      @DefaultValue("0") long priceMinor, @Nullable String currency, @DefaultValue List<String> tiers) {}

  /**
   * The rate card; the library's default card when no rates are named.
   *
   * @param version the card's version, recorded with each estimate
   * @param reshotFactor the price factor of a reshot, as {@code numerator/denominator}
   * @param rates the prices per kind and model
   */
  public record RateCardSettings(@DefaultValue("custom") String version, @DefaultValue("1/2") String reshotFactor,
      @DefaultValue List<RateSettings> rates) {}

  /**
   * The price of one kind and model, in millicredits: per call ({@code per-call}), a base plus a
   * price per second ({@code base} and {@code per-second}), or a price per million tokens
   * ({@code input-per-million} and {@code output-per-million}, optionally
   * {@code cached-input-per-million}, {@code reasoning-per-million} and a {@code base}).
   *
   * @param kind the generation kind: {@code image}, {@code video-clip}, {@code voice-line},
   *     {@code music-cue} or any other name such as {@code chat}
   * @param model the model
   * @param perCall the price of a call, for per-call pricing
   * @param base the base price, for per-second or token pricing
   * @param perSecond the price per second, for per-second pricing
   * @param resolutionFactors price factors by resolution, as {@code numerator/denominator}
   * @param inputPerMillion the price of a million input tokens, for token pricing
   * @param outputPerMillion the price of a million output tokens, for token pricing
   * @param cachedInputPerMillion the price of a million cached input tokens; unpriced when absent
   * @param reasoningPerMillion the price of a million reasoning tokens; unpriced when absent
   */
  public record RateSettings(@Nullable String kind, @Nullable String model, @Nullable Long perCall,
      @Nullable Long base, @Nullable Long perSecond, @DefaultValue Map<String, String> resolutionFactors,
      @Nullable Long inputPerMillion, @Nullable Long outputPerMillion, @Nullable Long cachedInputPerMillion,
      @Nullable Long reasoningPerMillion) {}

  /**
   * The gate's settings.
   *
   * @param lowBalanceThreshold credits under which an authorization signals a low balance
   * @param holdDeadlines how long a generation's hold lives, by kind ({@code video-clip}, {@code chat})
   * @param defaultHoldDeadline how long the hold of a kind not in {@code hold-deadlines} lives; the
   *     library's default when absent
   */
  public record Gate(@Nullable Long lowBalanceThreshold, @DefaultValue Map<String, Duration> holdDeadlines,
      @Nullable Duration defaultHoldDeadline) {}

  /**
   * The scheduled housekeeping: the sweep of holds past their deadline and of expired lots, and the
   * renewal of due plans. Safe with several app instances: each batch claims its rows with
   * {@code SKIP LOCKED} on PostgreSQL, so two instances never do the same work.
   *
   * @param enabled false turns both off
   * @param sweepInterval time between two sweeps
   * @param renewalInterval time between two renewal runs
   * @param initialDelay time after startup before the first of each
   */
  public record Housekeeping(@DefaultValue("true") boolean enabled, @DefaultValue("30s") Duration sweepInterval,
      @DefaultValue("5m") Duration renewalInterval, @DefaultValue("10s") Duration initialDelay) {}

  /**
   * The default overage policy: what a settle above its hold does when the available credits do not
   * cover the difference. An account's tier ({@code credits.tiers[].overage}) or the account itself
   * ({@code CreditService.setOveragePolicy}) may name another.
   *
   * @param policy {@code refuse} (the default: the settle is refused and nothing changes),
   *     {@code take-available} (what is not there stays uncollected) or {@code allow-debt:<n>} (the
   *     balance may go down to {@code -n}); the library's text forms {@code takeAvailable} and
   *     {@code allowDebt(n)} are read too
   */
  public record Overage(@DefaultValue("refuse") String policy) {}
}
