package io.preprompt.credits.stripe;

import io.preprompt.credits.core.AccountId;
import java.util.Optional;

/**
 * The host's link from a Stripe customer to a credits account, asked when an event's object carries
 * no {@code credits_account} metadata (the library's checkout sessions always set it).
 */
@FunctionalInterface
public interface CustomerDirectory {
  /**
   * Finds the account of a Stripe customer.
   *
   * @param customerId the Stripe customer id ({@code cus_...})
   * @return the account, or empty when the customer is not linked to one
   */
  Optional<AccountId> account(String customerId);

  /**
   * A directory that knows no customer: accounts come only from metadata.
   *
   * @return the directory
   */
  static CustomerDirectory none() {
    return customer -> Optional.empty();
  }
}
