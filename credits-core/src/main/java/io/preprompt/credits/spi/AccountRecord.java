package io.preprompt.credits.spi;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.OveragePolicy;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The account row: version, ledger position, running totals, the count of active holds, the plan,
 * the debt owed and the account's own overage policy.
 *
 * <p>Adapters store these fields as given; core computes every one of them.
 *
 * @param id the account
 * @param version optimistic-concurrency version, 1 after creation, +1 per commit
 * @param lastSequence sequence number of the newest ledger entry (0 when none)
 * @param granted total credits ever granted
 * @param settled total credits ever settled (spent)
 * @param expired total credits ever expired
 * @param debited total credits ever removed by adjustments
 * @param activeHolds how many of its holds are active now
 * @param createdAt when the account was opened
 * @param plan the plan and subscription state, or {@code null} for none (the free tier)
 * @param planDueAt when the plan next needs attention (a renewal, a scheduled change), or {@code null};
 *     adapters index it for {@link CreditStore#findAccountsWithPlanDue}
 * @param debt credits the account owes now (a settle above its hold under an allow-debt
 *     {@link OveragePolicy}), {@code >= 0}; the next credits it receives pay it first
 * @param overage the account's own overage policy, or {@code null} when it has none (its tier's or
 *     the configured default applies); a store keeps {@link OveragePolicy#mode()} and
 *     {@link OveragePolicy#maxDebt()} in plain columns
 */
public record AccountRecord(AccountId id, long version, long lastSequence, long granted, long settled, long expired,
    long debited, long activeHolds, Instant createdAt, @Nullable PlanRecord plan, @Nullable Instant planDueAt,
    long debt, @Nullable OveragePolicy overage) {
  /**
   * Checks non-null fields and non-negative counters.
   *
   * @param id the account
   * @param version optimistic-concurrency version, 1 after creation, +1 per commit
   * @param lastSequence sequence number of the newest ledger entry (0 when none)
   * @param granted total credits ever granted
   * @param settled total credits ever settled (spent)
   * @param expired total credits ever expired
   * @param debited total credits ever removed by adjustments
   * @param activeHolds how many of its holds are active now
   * @param createdAt when the account was opened
   * @param plan the plan and subscription state, or {@code null} for none (the free tier)
   * @param planDueAt when the plan next needs attention (a renewal, a scheduled change), or {@code null};
   *     adapters index it for {@link CreditStore#findAccountsWithPlanDue}
   * @param debt credits the account owes now, {@code >= 0}
   * @param overage the account's own overage policy, or {@code null} when it has none
   */
  public AccountRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    if (version < 1 || lastSequence < 0 || granted < 0 || settled < 0 || expired < 0 || debited < 0
        || activeHolds < 0 || debt < 0) {
      throw new IllegalArgumentException("account counters out of range for " + id);
    }
  }

  /**
   * An account row without debt and without an overage policy of its own.
   *
   * @param id the account
   * @param version optimistic-concurrency version, 1 after creation, +1 per commit
   * @param lastSequence sequence number of the newest ledger entry (0 when none)
   * @param granted total credits ever granted
   * @param settled total credits ever settled (spent)
   * @param expired total credits ever expired
   * @param debited total credits ever removed by adjustments
   * @param activeHolds how many of its holds are active now
   * @param createdAt when the account was opened
   * @param plan the plan and subscription state, or {@code null} for none (the free tier)
   * @param planDueAt when the plan next needs attention, or {@code null}
   */
  public AccountRecord(AccountId id, long version, long lastSequence, long granted, long settled, long expired,
      long debited, long activeHolds, Instant createdAt, @Nullable PlanRecord plan, @Nullable Instant planDueAt) {
    this(id, version, lastSequence, granted, settled, expired, debited, activeHolds, createdAt, plan, planDueAt, 0,
        null);
  }
}
