package io.preprompt.credits.examples;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StoreException;

/** What a host does when a credits call fails in the store, as the README's error codes section shows. */
public final class StoreFailures {
  private StoreFailures() {}

  /**
   * Settles a hold, sending it again with the same key while the store cannot say whether it
   * committed.
   *
   * @param credits the credit service
   * @param account the account
   * @param hold the hold to settle
   * @param key the settle's key, the same on every send
   * @return the settlement
   * @throws StoreException when nothing was applied (safe to send again later, or to report), or when
   *     the outcome is still unknown after three sends (keep the key and send it again later)
   */
  public static Settlement settle(CreditService credits, AccountId account, HoldId hold, IdempotencyKey key) {
    // tag::store-failures[]
    for (int send = 1; ; send++) {
      try {
        return credits.settle(account, hold, key);
      } catch (StoreException e) {
        if (e.outcome() == StoreException.Outcome.NOT_APPLIED || send == 3) {
          throw e;   // NOT_APPLIED: nothing changed, retry later or report; still UNKNOWN: resend the key later
        }
        // UNKNOWN: the settle may have been committed; the same key replays it if it was, applies it if not
      }
    }
    // end::store-failures[]
  }
}
