/**
 * The vocabulary of every call: the identifiers ({@link io.preprompt.credits.core.AccountId},
 * {@link io.preprompt.credits.core.IdempotencyKey}, {@link io.preprompt.credits.core.HoldId}), the
 * {@link io.preprompt.credits.core.CreditAmount} value type, a hold's
 * {@link io.preprompt.credits.core.HoldState}, the engine's settings
 * ({@link io.preprompt.credits.core.CreditsConfig}) and the exception tree rooted at
 * {@link io.preprompt.credits.core.CreditsException}, each with a stable
 * {@link io.preprompt.credits.core.ErrorCode}. It depends on no other package of the library.
 *
 * <p>Credit amounts follow one rule. A caller names the credits it asks the library to move (a
 * grant, a hold, a settle, a generation's actual cost, a support adjustment) with a
 * {@link io.preprompt.credits.core.CreditAmount}, which is never negative and never overflows silently.
 * Every other count of credits is a plain {@code long}: whatever the library reports (balances,
 * lots, holds, receipts, ledger entries, estimates, exceptions, listener calls), the settings a
 * host configures (a tier's allowance and rollover cap, a pack's credits, the signup grant, the
 * low-balance threshold; prices in millicredits) and the store port ({@code spi}). So a call that
 * takes an {@link io.preprompt.credits.core.IdempotencyKey} never takes credits as a bare number, and
 * nothing returns a {@code CreditAmount}; to pass a reported count back, wrap it:
 * {@code gate.succeeded(user, hold, CreditAmount.of(ok.total()), key)}.
 *
 * <p>Time follows one rule too. The library reads time only from the host's
 * {@link java.time.InstantSource} and keeps every instant in whole microseconds, the precision of SQL
 * timestamps: the clock's instants, a hold's deadline (now plus its ttl), a grant's expiry and a
 * cancellation's effective time are truncated toward the past to the microsecond before they are
 * used or stored. So an account reads back from any store exactly as it was written, and a
 * sub-microsecond part of an instant a caller passes in never changes an outcome. The latest instant
 * kept is the end of year 9999, the last that SQL timestamps hold: a later grant expiry or
 * cancellation time is refused with {@code INVALID_ARGUMENT}.
 */
@NullMarked
package io.preprompt.credits.core;

import org.jspecify.annotations.NullMarked;
