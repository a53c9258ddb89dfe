/**
 * Balances and holds, used through the entry point {@link io.preprompt.credits.CreditService}:
 * {@link io.preprompt.credits.balance.Lot}s of credits by
 * {@link io.preprompt.credits.balance.LotSource}, two-phase {@link io.preprompt.credits.balance.Hold}s
 * and their results, and the {@link io.preprompt.credits.balance.BalanceView}. Requests start with
 * {@link io.preprompt.credits.balance.HoldRequest}.
 */
@NullMarked
package io.preprompt.credits.balance;

import org.jspecify.annotations.NullMarked;
