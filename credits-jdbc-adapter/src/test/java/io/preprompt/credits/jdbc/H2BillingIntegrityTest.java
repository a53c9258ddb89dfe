package io.preprompt.credits.jdbc;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.BillingIntegrityContract;
import org.junit.jupiter.api.DisplayName;

/** Billing integrity over JdbcCreditStore on H2: a fresh database per test. */
@DisplayName("Billing integrity on JdbcCreditStore over H2")
class H2BillingIntegrityTest extends BillingIntegrityContract {
  @Override
  protected CreditStore createStore() {
    return Databases.H2.fresh().store();
  }
}
