package io.preprompt.credits.spring;

import io.preprompt.credits.jdbc.ConnectionProvider;
import java.sql.Connection;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Lets the JDBC store take part in Spring-managed transactions: it uses the connection of the
 * caller's {@code @Transactional} method (as {@code JdbcTemplate} does), gives a connection taken
 * outside a transaction back to the pool at once, and tells listeners of a change only after the
 * transaction commits (never when it rolls back).
 */
public final class SpringTransactionConnectionProvider implements ConnectionProvider {
  private final DataSource dataSource;

  /**
   * Creates the provider.
   *
   * @param dataSource the data source Spring's transaction manager runs on
   */
  public SpringTransactionConnectionProvider(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  @Override
  public Connection currentConnection() {
    return DataSourceUtils.getConnection(dataSource);
  }

  @Override
  public void releaseConnection(Connection connection) {
    DataSourceUtils.releaseConnection(connection, dataSource);
  }

  @Override
  public void afterCommit(Runnable action) {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          action.run();
        }
      });
    } else {
      action.run();
    }
  }
}
