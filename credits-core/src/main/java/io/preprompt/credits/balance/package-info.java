/**
 * Balances and holds, used through the entry point {@link io.preprompt.credits.CreditService}:
 * {@link io.preprompt.credits.balance.Lot}s of credits by
 * {@link io.preprompt.credits.balance.LotSource}, two-phase {@link io.preprompt.credits.balance.Hold}s
 * and their results, and the {@link io.preprompt.credits.balance.BalanceView}. Requests start with
 * {@link io.preprompt.credits.balance.HoldRequest}:
 *
 * <pre>{@code
 * CreditService service = credits.credits();
 * Hold hold = service.hold(HoldRequest.of(user, CreditAmount.of(40), IdempotencyKey.of("job-7")));
 * // ... the job succeeded and cost 32 credits: the other 8 return to the balance
 * service.settle(user, hold.id(), CreditAmount.of(32), IdempotencyKey.of("job-7-done"));
 * long available = service.balance(user).available();                  // 168
 * }</pre>
 */
@NullMarked
package io.preprompt.credits.balance;

import org.jspecify.annotations.NullMarked;
