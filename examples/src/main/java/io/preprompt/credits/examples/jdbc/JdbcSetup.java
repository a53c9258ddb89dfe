package io.preprompt.credits.examples.jdbc;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.jdbc.HostTransaction;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import io.preprompt.credits.ledger.CreditsListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.InstantSource;
import javax.sql.DataSource;

/**
 * The JDBC adapter's setups, as the READMEs show them: standalone over a host's data source, and
 * inside the host's own transaction.
 */
public final class JdbcSetup {
  private JdbcSetup() {}

  /**
   * Installs the schema and builds the service over a host's data source.
   *
   * @param dataSource the host's pool
   * @param dialect {@code POSTGRESQL} in production, {@code H2} embedded
   * @return the service
   */
  public static CreditService standalone(DataSource dataSource, JdbcStoreConfig.Dialect dialect) {
    // tag::standalone[]
    JdbcStoreConfig config = JdbcStoreConfig.builder()
        .dialect(dialect)           // JdbcStoreConfig.Dialect.POSTGRESQL in production, H2 embedded
        .schema("billing")          // optional; [a-z_][a-z0-9_]{0,30}
        .tablePrefix("credits_")    // the default
        .build();
    JdbcCreditStore.install(dataSource, config);   // once at startup, if you do not use Flyway
    CreditService credits = CreditService.builder().store(JdbcCreditStore.create(dataSource, config)).build();
    // end::standalone[]
    return credits;
  }

  /**
   * The group commit settings: off, and more batches written at once.
   *
   * @return the two configurations
   */
  public static java.util.List<JdbcStoreConfig> groupCommitSettings() {
    // tag::group-commit[]
    JdbcStoreConfig alone = JdbcStoreConfig.builder().groupCommit(false).build();      // every commit alone
    JdbcStoreConfig wider = JdbcStoreConfig.builder().groupCommitWriters(4).build();   // up to four batches at once
    // end::group-commit[]
    return java.util.List.of(alone, wider);
  }

  /**
   * Settles a hold and records the host's order in one transaction: both or neither. The listener
   * hears of the settle only once the host has committed, and never when it rolls back.
   *
   * @param dataSource the host's pool
   * @param config the store's configuration
   * @param clock the clock
   * @param listener told of the settle after the commit (a live balance in the UI, say)
   * @param account the account
   * @param holdId the hold to settle
   * @param key the settle's idempotency key
   * @param orderId the host's order
   * @param commit whether the host commits (or rolls back, to show that the settle goes too)
   * @throws SQLException when the host's own statements fail
   */
  public static void settleWithOrder(DataSource dataSource, JdbcStoreConfig config, InstantSource clock,
      CreditsListener listener, AccountId account, HoldId holdId, IdempotencyKey key, String orderId, boolean commit)
      throws SQLException {
    // tag::host-transaction[]
    try (Connection c = dataSource.getConnection()) {
      HostTransaction tx = HostTransaction.begin(c);   // auto-commit off: the host's transaction
      CreditService credits = CreditService.builder().store(JdbcCreditStore.inHostTransaction(tx, config))
          .clock(clock).listener(listener).build();
      insertOrder(c, orderId, account);        // the host's own write
      credits.settle(account, holdId, key);    // same transaction; the listener waits
      if (commit) {
        tx.commit();                           // both or neither; then the listener hears of it
      } else {
        tx.rollback();                         // undoes the credits change too; nobody hears of it
      }
    }
    // end::host-transaction[]
  }

  private static void insertOrder(Connection c, String orderId, AccountId account) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (id, account) VALUES (?, ?)")) {
      ps.setString(1, orderId);
      ps.setString(2, account.value());
      ps.executeUpdate();
    }
  }
}
