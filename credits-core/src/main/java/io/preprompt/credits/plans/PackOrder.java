package io.preprompt.credits.plans;

import io.preprompt.credits.core.AccountId;
import java.time.Instant;

/**
 * A pack purchase waiting for its payment. The pack is granted when the billing system confirms
 * the payment with a {@link BillingEvent.PackPaid} carrying {@link #paymentReference()}.
 *
 * @param account the account
 * @param pack the pack
 * @param paymentReference the reference the billing gateway charges under (unique across accounts)
 * @param orderedAt when
 */
public record PackOrder(AccountId account, Pack pack, String paymentReference, Instant orderedAt) {}
