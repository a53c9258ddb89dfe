/**
 * The ledger, read through the entry point {@link io.preprompt.credits.CreditService#history} (and
 * {@link io.preprompt.credits.CreditService#reconcile}): immutable {@link io.preprompt.credits.ledger.LedgerEntry}s with a per-account sequence,
 * read in pages with {@link io.preprompt.credits.ledger.LedgerQuery}, and the
 * {@link io.preprompt.credits.ledger.Reconciliation} that recomputes an account from them:
 *
 * <pre>{@code
 * LedgerPage page = service.history(user, LedgerQuery.firstPage(100));   // oldest entry first
 * long spent = page.entries().stream()
 *     .filter(e -> e.type() == EntryType.SETTLE).mapToLong(LedgerEntry::amount).sum();   // 32
 * boolean consistent = service.reconcile(user).consistent();            // true
 * }</pre>
 */
@NullMarked
package io.preprompt.credits.ledger;

import org.jspecify.annotations.NullMarked;
