/**
 * PrePrompt Credits: prepaid usage credits for AI apps. The entry point is
 * {@link io.preprompt.credits.CreditService}, built with {@link io.preprompt.credits.CreditService#builder()}
 * over a {@link io.preprompt.credits.spi.CreditStore}. This package also holds the identifiers
 * ({@link io.preprompt.credits.AccountId}, {@link io.preprompt.credits.IdempotencyKey},
 * {@link io.preprompt.credits.HoldId}), the {@link io.preprompt.credits.CreditAmount} value type and the
 * exception tree rooted at {@link io.preprompt.credits.CreditsException}, each with a stable
 * {@link io.preprompt.credits.ErrorCode}.
 */
@NullMarked
package io.preprompt.credits;

import org.jspecify.annotations.NullMarked;
