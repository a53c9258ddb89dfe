package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A database whose history records a later schema version without an earlier one (an interim build
 * that shipped V4 before V3) gets the missing version when the installer next runs: every migration
 * not recorded is applied, not only those above the newest recorded.
 */
class SchemaVersionGapTest {

  @Test
  @DisplayName("a version missing below the newest recorded is installed")
  void missingOlderVersionIsInstalled() throws SQLException {
    DataSource ds = TestDataSource.pooled("jdbc:h2:mem:schemagap;DB_CLOSE_DELAY=-1");
    JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);
    try (Connection c = ds.getConnection()) {
      assertThat(SchemaInstaller.install(c, config, 2)).isEqualTo(2);
      // The gap: V4 recorded, V3 not.
      try (Statement st = c.createStatement()) {
        st.execute("INSERT INTO credits_schema_version (version, script, installed_at)"
            + " VALUES (4, 'V4__automatic_top_up.sql', CURRENT_TIMESTAMP)");
      }
      assertThat(columns(c)).doesNotContain("DEBT", "OVERAGE_MODE", "OVERAGE_MAX_DEBT");

      assertThat(SchemaInstaller.install(c, config)).isEqualTo(SchemaInstaller.LATEST);

      assertThat(columns(c)).contains("DEBT", "OVERAGE_MODE", "OVERAGE_MAX_DEBT");
      assertThat(versions(c)).containsExactly(1, 2, 3, 4);
      // Once complete, installing again changes nothing.
      assertThat(SchemaInstaller.install(c, config)).isEqualTo(SchemaInstaller.LATEST);
      assertThat(versions(c)).containsExactly(1, 2, 3, 4);
    }
  }

  private static List<String> columns(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = c.getMetaData().getColumns(null, null, "CREDITS_ACCOUNTS", null)) {
      while (rs.next()) {
        out.add(rs.getString("COLUMN_NAME"));
      }
    }
    return out;
  }

  private static List<Integer> versions(Connection c) throws SQLException {
    List<Integer> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version FROM credits_schema_version ORDER BY version")) {
      while (rs.next()) {
        out.add(rs.getInt(1));
      }
    }
    return out;
  }
}
