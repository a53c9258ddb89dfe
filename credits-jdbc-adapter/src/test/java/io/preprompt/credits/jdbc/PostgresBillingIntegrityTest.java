package io.preprompt.credits.jdbc;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.BillingIntegrityContract;
import org.junit.jupiter.api.DisplayName;

/** Billing integrity over JdbcCreditStore on a real PostgreSQL server: a fresh schema per test. */
@DisplayName("Billing integrity on JdbcCreditStore over PostgreSQL")
class PostgresBillingIntegrityTest extends BillingIntegrityContract {
  @Override
  protected CreditStore createStore() {
    return Databases.POSTGRESQL.fresh().store();
  }
}
