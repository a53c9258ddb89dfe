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
 */
@NullMarked
package io.preprompt.credits;

import org.jspecify.annotations.NullMarked;
