package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Why the adapter's README asks for {@code prepareThreshold=0} behind pgbouncer in transaction mode.
 * By default pgJDBC prepares a statement it ran five times under a name ({@code S_1}, ...) on the
 * server connection of that moment. Two clients each name their first such statement {@code S_1};
 * when pgbouncer then gives one of them the other's server connection, that name is taken, or
 * names the other client's statement. A pgbouncer of two server connections lets the test decide
 * which client gets which.
 */
@DisplayName("pgJDBC through pgbouncer in transaction mode")
class PgBouncerDriverSettingsTest {
  private static final String MINE = "SELECT ?::int + 1";
  private static final String THEIRS = "SELECT ?::int + 100";

  private final PgBouncer bouncer = PgBouncer.start(PostgresServer.get(), 2);

  @AfterEach
  void stopBouncer() {
    bouncer.stop();
  }

  @Test
  @DisplayName("with the driver's default, what one client prepared on a server connection breaks another's calls")
  void driverDefault_namedStatementsCollide() {
    // What exactly goes wrong depends on who prepared what where: another client's statement runs
    // (1 + 1 gives 101), or a name is already taken, or missing inside a transaction.
    assertThat(swapServers(bouncer.urlWithDriverDefaults())).isNotEqualTo("2");
  }

  @Test
  @DisplayName("with prepareThreshold=0, every statement runs as sent, whichever server connection it gets")
  void noNamedStatements_runAsSent() {
    assertThat(swapServers(bouncer.url())).isEqualTo("2");
  }

  /**
   * Mine runs alone (on server connection X) until the driver names it; another client's open
   * transaction then holds X while a third client names its own statement on Y; mine runs once more.
   *
   * @return what mine computed for 1 in the end, or the failure met on the way
   */
  private String swapServers(String url) {
    try (Connection mine = DriverManager.getConnection(url); Connection holder = DriverManager.getConnection(url);
        Connection theirs = DriverManager.getConnection(url)) {
      for (int i = 0; i < 6; i++) {
        assertThat(run(mine, MINE, i)).isEqualTo(i + 1);
      }
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.execute("SELECT 1");
        for (int i = 0; i < 6; i++) {
          assertThat(run(theirs, THEIRS, i)).isEqualTo(i + 100);
        }
        int result = run(mine, MINE, 1);
        holder.rollback();
        return Integer.toString(result);
      }
    } catch (SQLException e) {
      return "failed: " + e.getMessage();
    }
  }

  private static int run(Connection c, String sql, int value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, value);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
