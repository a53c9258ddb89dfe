package io.preprompt.credits.spi;

import io.preprompt.credits.core.AccountId;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The account row: version, ledger position, running totals, the count of active holds and the plan.
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
 */
public record AccountRecord(AccountId id, long version, long lastSequence, long granted, long settled, long expired,
    long debited, long activeHolds, Instant createdAt, @Nullable PlanRecord plan, @Nullable Instant planDueAt) {
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
   */
  public AccountRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    if (version < 1 || lastSequence < 0 || granted < 0 || settled < 0 || expired < 0 || debited < 0
        || activeHolds < 0) {
      throw new IllegalArgumentException("account counters out of range for " + id);
    }
  }
}
