/**
 * The ports storage adapters implement. The entry point is {@link io.preprompt.credits.spi.CreditStore}:
 * load an account ({@link io.preprompt.credits.spi.AccountSnapshot}), commit an
 * {@link io.preprompt.credits.spi.AccountChange} atomically against an expected version, read the
 * ledger, find overdue holds. Adapters persist and load; every rule lives in core. The testkit's
 * {@code CreditStoreContract} is the executable definition of this contract.
 */
@NullMarked
package io.preprompt.credits.spi;

import org.jspecify.annotations.NullMarked;
