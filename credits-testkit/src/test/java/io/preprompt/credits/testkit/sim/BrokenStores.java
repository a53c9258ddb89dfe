package io.preprompt.credits.testkit.sim;

import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.CommitOutcome;
import java.util.concurrent.atomic.AtomicInteger;

/** Deliberately broken stores the simulation must catch. */
final class BrokenStores {
  private BrokenStores() {}

  /** Forgets the idempotency record of every fifth keyed commit, so a retry takes effect again. */
  static final class DropsIdempotencyRecords extends ForwardingStore {
    private final AtomicInteger keyed = new AtomicInteger();

    @Override
    public CommitOutcome commit(AccountChange change) {
      if (change.idempotency() != null && keyed.incrementAndGet() % 5 == 0) {
        return super.commit(with(change, change.entries(), null));
      }
      return super.commit(change);
    }
  }

  /** Loses the last ledger entry of every commit whose entries touch two or more lots. */
  static final class LosesLedgerEntries extends ForwardingStore {
    @Override
    public CommitOutcome commit(AccountChange change) {
      if (change.entries().stream().map(LedgerEntry::lot).distinct().count() >= 2) {
        return super.commit(with(change, change.entries().subList(0, change.entries().size() - 1),
            change.idempotency()));
      }
      return super.commit(change);
    }
  }
}
