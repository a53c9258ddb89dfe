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
 * <p>This package holds the entry points: {@link io.preprompt.credits.Credits}, the
 * {@link io.preprompt.credits.CreditService} and its builder. The vocabulary every call speaks
 * (identifiers, amounts, keys, settings and the exception tree) is in
 * {@link io.preprompt.credits.core}; balances and holds in {@code balance}; the ledger in
 * {@code ledger}; plans in {@code plans}; the gate in {@code gate}; the ports in {@code spi}. The
 * packages form layers, each using only those below it: {@code core}, then {@code balance}, then
 * {@code ledger}, then {@code spi}, {@code plans} and {@code gate}, then the engine, then this one.
 */
@NullMarked
package io.preprompt.credits;

import org.jspecify.annotations.NullMarked;
