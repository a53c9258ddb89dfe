package io.preprompt.credits.spring.observation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.ledger.CommittedChange;
import io.preprompt.credits.ledger.CreditsListener;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Counts the credits each committed change moved, from its ledger entries, in counters with the
 * base unit {@code credits} tagged {@code source} (the lot's {@link LotSource}, in lower case):
 * {@code credits.granted} (grants), {@code credits.settled} (spent by settling holds),
 * {@code credits.released} (returned by released and expired holds), {@code credits.expired}
 * (expired with their lot) and {@code credits.debited} (removed by support adjustments). Holds are
 * not counted: their credits are counted when the hold ends.
 *
 * <p>Settles above their hold (see {@link io.preprompt.credits.core.OveragePolicy}) are counted in
 * {@code credits.overage}, tagged {@code outcome}: {@code charged} (drawn from the available
 * credits beyond the hold), {@code debt} (charged as debt under an allow-debt policy) and
 * {@code uncollected} (asked for but not charged, as the engine records on the settle's entries:
 * {@link LedgerEntry#UNCOLLECTED}); and {@code credits.debt.repaid} counts the debt
 * that credits received later paid off.
 *
 * <p>The listener is told once a change is durable, so a change the host's transaction rolled back
 * is never counted.
 */
public class CreditsMetricsListener implements CreditsListener {
  /** Credits granted. */
  public static final String GRANTED = "credits.granted";
  /** Credits spent by settling holds. */
  public static final String SETTLED = "credits.settled";
  /** Credits returned by released and expired holds. */
  public static final String RELEASED = "credits.released";
  /** Credits expired with their lot. */
  public static final String EXPIRED = "credits.expired";
  /** Credits removed by support adjustments. */
  public static final String DEBITED = "credits.debited";
  /** Credits a settle asked for beyond its hold, tagged {@code outcome}. */
  public static final String OVERAGE = "credits.overage";
  /** Debt paid off by credits received. */
  public static final String DEBT_REPAID = "credits.debt.repaid";

  private final Map<EntryType, Map<LotSource, Counter>> counters = new EnumMap<>(EntryType.class);
  private final Counter overageCharged;
  private final Counter overageDebt;
  private final Counter overageUncollected;
  private final Counter debtRepaid;

  /**
   * Creates the listener and registers its counters, one per name and lot source, at zero.
   *
   * @param registry where the counters go
   */
  public CreditsMetricsListener(MeterRegistry registry) {
    Map<LotSource, Counter> released = counters(registry, RELEASED, "Credits returned by released and expired holds");
    counters.put(EntryType.GRANT, counters(registry, GRANTED, "Credits granted"));
    counters.put(EntryType.SETTLE, counters(registry, SETTLED, "Credits spent by settling holds"));
    counters.put(EntryType.RELEASE, released);
    counters.put(EntryType.HOLD_EXPIRED, released);
    counters.put(EntryType.LOT_EXPIRED, counters(registry, EXPIRED, "Credits expired with their lot"));
    counters.put(EntryType.DEBIT, counters(registry, DEBITED, "Credits removed by support adjustments"));
    this.overageCharged = overage(registry, "charged");
    this.overageDebt = overage(registry, "debt");
    this.overageUncollected = overage(registry, "uncollected");
    this.debtRepaid = Counter.builder(DEBT_REPAID)
        .description("Debt paid off by credits received")
        .baseUnit("credits")
        .register(registry);
  }

  private static Counter overage(MeterRegistry registry, String outcome) {
    return Counter.builder(OVERAGE)
        .description("Credits settles asked for beyond their hold: charged from available credits, as debt, or"
            + " uncollected")
        .baseUnit("credits")
        .tag("outcome", outcome)
        .register(registry);
  }

  private static Map<LotSource, Counter> counters(MeterRegistry registry, String name, String description) {
    Map<LotSource, Counter> bySource = new EnumMap<>(LotSource.class);
    for (LotSource source : LotSource.values()) {
      bySource.put(source, Counter.builder(name)
          .description(description)
          .baseUnit("credits")
          .tag("source", source.name().toLowerCase(Locale.ROOT))
          .register(registry));
    }
    return bySource;
  }

  /**
   * Adds the credits of each entry to its counter.
   *
   * @param change the committed change
   */
  @Override
  public void onCommitted(CommittedChange change) {
    Map<HoldId, Long> uncollected = new HashMap<>();
    for (LedgerEntry entry : change.entries()) {
      @Nullable Map<LotSource, Counter> bySource = counters.get(entry.type());
      if (bySource != null) {
        bySource.get(entry.source()).increment(entry.amount());
      }
      switch (entry.type()) {
        case OVERAGE -> overageCharged.increment(entry.amount());
        case DEBT_INCURRED -> overageDebt.increment(entry.amount());
        case DEBT_REPAID -> debtRepaid.increment(entry.amount());
        default -> { }
      }
      // Every entry of a settle above its hold carries what it left uncollected: count it once per hold.
      String left = entry.metadata().get(LedgerEntry.UNCOLLECTED);
      if (left != null && entry.hold() != null) {
        uncollected.putIfAbsent(entry.hold(), parse(left));
      }
    }
    uncollected.values().forEach(overageUncollected::increment);
  }

  private static long parse(String credits) {
    try {
      return Math.max(0, Long.parseLong(credits));
    } catch (NumberFormatException e) {
      return 0;  // not the engine's writing; a metric never fails the change it describes
    }
  }
}
