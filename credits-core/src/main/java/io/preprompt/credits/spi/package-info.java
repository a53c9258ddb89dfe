/**
 * The ports a host or integrator implements: {@link io.preprompt.credits.spi.CreditStore} for storage
 * and {@link io.preprompt.credits.spi.BillingGateway} for the payment provider.
 *
 * <p>A store persists and loads; every rule lives in core. Each call reads one account with only the
 * holds it needs ({@link io.preprompt.credits.spi.HoldSelection}: the hold it acts on and those past
 * their deadline) as an {@link io.preprompt.credits.spi.AccountSnapshot}, then commits one
 * {@link io.preprompt.credits.spi.AccountChange} atomically against the version it read: the new
 * account row, the lots and holds the call touched, its ledger entries and its
 * {@link io.preprompt.credits.spi.IdempotencyRecord}. A commit that finds another version, a hold
 * already ended or its key taken writes nothing and reports a conflict; core reads again and
 * retries. A store that writes inside its host's transaction says so
 * ({@link io.preprompt.credits.spi.CommitOutcome#WRITTEN_IN_HOST_TRANSACTION}) and holds back what
 * core tells listeners until the host commits ({@link io.preprompt.credits.spi.CreditStore#whenDurable}).
 * Every type here is a plain value; nothing depends on how a store lays out its data.
 *
 * <p>The testkit's {@code CreditStoreContract} is the executable definition of this contract; a store
 * proves itself by extending it and saying how to make an empty store:
 *
 * <pre>{@code
 * protected CreditStore createStore() {
 *   return FileCreditStore.open(directory.resolve("credits"));
 * }
 * }</pre>
 */
@NullMarked
package io.preprompt.credits.spi;

import org.jspecify.annotations.NullMarked;
