package io.preprompt.credits.jdbc;

import java.sql.Connection;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

// tag::spring-provider[]
/** The credits store in Spring-managed transactions: connections as Spring's JdbcTemplate gets them. */
final class SpringConnectionProvider implements ConnectionProvider {
  private final DataSource dataSource;

  SpringConnectionProvider(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Connection currentConnection() {
    return DataSourceUtils.getConnection(dataSource);   // the transaction's, or a new one outside it
  }

  @Override
  public void releaseConnection(Connection connection) {
    DataSourceUtils.releaseConnection(connection, dataSource);   // outside a transaction: back to the pool
  }

  @Override
  public void afterCommit(Runnable action) {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          action.run();                              // never on rollback
        }
      });
    } else {
      action.run();                                  // no transaction: the write has committed
    }
  }
}
// end::spring-provider[]
