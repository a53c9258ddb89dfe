package io.preprompt.credits.ledger;

import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.ledger.LedgerEntry;
import java.util.List;
import java.util.Objects;

/**
 * A change that was committed, as told to {@link CreditsListener}s.
 *
 * @param account the account
 * @param entries the ledger entries appended, in sequence order
 * @param balance the balance right after the change
 */
public record CommittedChange(AccountId account, List<LedgerEntry> entries, BalanceView balance) {
  /**
   * Checks and copies.
   *
   * @param account the account
   * @param entries the ledger entries appended, in sequence order
   * @param balance the balance right after the change
   */
  public CommittedChange {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(balance, "balance");
    entries = List.copyOf(entries);
  }
}
