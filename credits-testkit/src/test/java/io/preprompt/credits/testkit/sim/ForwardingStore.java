package io.preprompt.credits.testkit.sim;

import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.testkit.ForwardingCreditStore;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Forwards every call to a fresh in-memory store; broken stores override what they break. */
abstract class ForwardingStore extends ForwardingCreditStore {
  ForwardingStore() {
    super(new InMemoryCreditStore());
  }

  /** Copies a change with other entries and idempotency record. */
  static AccountChange with(AccountChange c, List<LedgerEntry> entries, @Nullable IdempotencyRecord record) {
    return new AccountChange(c.expectedVersion(), c.account(), c.newLots(), c.changedLots(), c.newHolds(),
        c.endedHolds(), c.changedHolds(), entries, record, c.planChanged());
  }
}
