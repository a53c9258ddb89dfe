package io.preprompt.credits.ledger;

import java.util.List;
import java.util.Optional;

/**
 * A page of ledger entries.
 *
 * @param entries the entries, in sequence order
 * @param next the query for the next page, empty when this page was the last
 */
public record LedgerPage(List<LedgerEntry> entries, Optional<LedgerQuery> next) {
  /**
   * Copies the entries.
   *
   * @param entries the entries, in sequence order
   * @param next the query for the next page, empty when this page was the last
   */
  public LedgerPage {
    entries = List.copyOf(entries);
  }
}
