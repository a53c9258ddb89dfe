/**
 * PrePrompt Credits: prepaid usage credits for AI apps. The entry point is
 * {@link io.preprompt.credits.Credits#builder()}, which builds the
 * {@link io.preprompt.credits.CreditService}, the plan service and the generation gate over a
 * {@link io.preprompt.credits.spi.CreditStore}:
 *
 * <pre>{@code
 * Credits credits = Credits.builder()
 *     .store(store)                   // JdbcCreditStore.create(dataSource, config) in production
 *     .billing(billing)               // your payment provider's gateway
 *     .build();                       // once, at startup; thread-safe
 * credits.credits().openAccount(user, IdempotencyKey.of("signup-42"));
 * credits.plans().verifyEmail(user, IdempotencyKey.of("verify-42"));   // +200 free credits
 * }</pre>
 *
 * <p>This package also holds the identifiers
 * ({@link io.preprompt.credits.AccountId}, {@link io.preprompt.credits.IdempotencyKey},
 * {@link io.preprompt.credits.HoldId}), the {@link io.preprompt.credits.CreditAmount} value type and the
 * exception tree rooted at {@link io.preprompt.credits.CreditsException}, each with a stable
 * {@link io.preprompt.credits.ErrorCode}.
 *
 * <p>Credit amounts follow one rule. A caller names the credits it asks the library to move (a
 * grant, a hold, a settle, a generation's actual cost, a support adjustment) with a
 * {@link io.preprompt.credits.CreditAmount}, which is never negative and never overflows silently.
 * Every other count of credits is a plain {@code long}: whatever the library reports (balances,
 * lots, holds, receipts, ledger entries, estimates, exceptions, listener calls), the settings a
 * host configures (a tier's allowance and rollover cap, a pack's credits, the signup grant, the
 * low-balance threshold; prices in millicredits) and the store port ({@code spi}). So a call that
 * takes an {@link io.preprompt.credits.IdempotencyKey} never takes credits as a bare number, and
 * nothing returns a {@code CreditAmount}; to pass a reported count back, wrap it:
 * {@code gate.succeeded(user, hold, CreditAmount.of(ok.total()), key)}.
 */
@NullMarked
package io.preprompt.credits;

import org.jspecify.annotations.NullMarked;
