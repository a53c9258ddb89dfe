package io.preprompt.credits.ledger;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.UnknownAccountException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What reading an account's ledger and holds takes: the read side of
 * {@link io.preprompt.credits.CreditService}, which is one. Reports such as
 * {@link io.preprompt.credits.gate.GenerationHistory} are built over it, so they work over any
 * credit service a host has, decorated or not.
 */
public interface LedgerReader {
  /**
   * Finds a hold of this account, as it stands now (an overdue active hold shows as expired).
   *
   * @param account the account
   * @param hold the hold
   * @return the hold, empty when the account has no such hold
   */
  Optional<Hold> findHold(AccountId account, HoldId hold);

  /**
   * Reads a page of the account's ledger.
   *
   * @param account the account
   * @param query which page
   * @return the page and the query for the next one
   * @throws UnknownAccountException when the account does not exist
   */
  LedgerPage history(AccountId account, LedgerQuery query);

  /**
   * Reads every entry the query selects, page after page (the query's limit is the page size), and
   * hands each to {@code sink} in sequence order: for exports, reports and checks.
   *
   * @param account the account
   * @param query the first page; later pages continue after its last entry
   * @param sink receives each entry
   * @throws UnknownAccountException when the account does not exist
   */
  default void forEachEntry(AccountId account, LedgerQuery query, Consumer<LedgerEntry> sink) {
    if (query == null || sink == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a ledger query and a sink are required");
    }
    Optional<LedgerQuery> next = Optional.of(query);
    while (next.isPresent()) {
      LedgerPage page = history(account, next.get());
      page.entries().forEach(sink);
      next = page.next();
    }
  }
}
