import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.*;
import io.preprompt.credits.core.*;
import io.preprompt.credits.gate.*;
import io.preprompt.credits.jdbc.*;
import java.sql.*;
import java.util.*;
import org.postgresql.ds.PGSimpleDataSource;

/** Rows, bytes on disk and WAL per generation through the gate, on a running PostgreSQL; see footprint.sh. */
public class Footprint {
  public static void main(String[] a) throws Exception {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl("jdbc:postgresql://127.0.0.1:" + a[0] + "/footprint?user=postgres");
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
    }
    JdbcStoreConfig cfg = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.POSTGRESQL);
    JdbcCreditStore.install(ds, cfg);
    JdbcCreditStore store = JdbcCreditStore.create(ds, cfg);
    Credits credits = Credits.builder().store(store).build();
    int accounts = Integer.parseInt(a[1]), pairs = Integer.parseInt(a[2]);
    for (int i = 0; i < accounts; i++) {
      AccountId id = AccountId.of("user-" + i);
      credits.credits().openAccount(id, IdempotencyKey.of("open"));
      credits.credits().grant(id, LotSource.PACK, CreditAmount.of(1_000_000), null, IdempotencyKey.of("g"));
      credits.plans().verifyEmail(id, IdempotencyKey.of("v"));
    }
    long[] before = sizes(ds);
    String lsn0 = lsn(ds);
    long t0 = System.nanoTime();
    GenerationRequest req = GenerationRequest.image("standard", "720p");
    for (int p = 0; p < pairs; p++) {
      AccountId id = AccountId.of("user-" + (p % accounts));
      Authorization auth = credits.gate().authorize(id, req, IdempotencyKey.of("a" + p));
      Hold h = ((Authorization.Authorized) auth).holds().get(0);
      credits.gate().succeeded(id, h.id(), CreditAmount.of(h.amount()), IdempotencyKey.of("s" + p));
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    long[] after = sizes(ds);
    long wal = walDiff(ds, lsn0);
    System.out.printf("accounts=%d pairs=%d in %.1f s (%.0f pairs/s, 1 thread)%n", accounts, pairs, secs, pairs / secs);
    String[] names = {"accounts", "lots", "holds", "ledger", "idempotency", "total"};
    for (int i = 0; i < names.length; i++) {
      System.out.printf("%-12s %10d bytes before, %10d after: %.0f bytes per generation%n", names[i], before[i], after[i],
          (after[i] - before[i]) / (double) pairs);
    }
    System.out.printf("WAL %.0f bytes per generation%n", wal / (double) pairs);
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT (SELECT count(*) FROM credits_ledger), (SELECT count(*) FROM credits_idempotency), (SELECT count(*) FROM credits_holds)")) {
      r.next();
      System.out.println("rows: ledger " + r.getLong(1) + ", idempotency " + r.getLong(2) + ", holds " + r.getLong(3));
    }
  }

  static long[] sizes(PGSimpleDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("CHECKPOINT");
      s.execute("VACUUM ANALYZE");
      String[] t = {"credits_accounts", "credits_lots", "credits_holds", "credits_ledger", "credits_idempotency"};
      long[] out = new long[t.length + 1];
      for (int i = 0; i < t.length; i++) {
        try (ResultSet r = s.executeQuery("SELECT pg_total_relation_size('" + t[i] + "')")) {
          r.next();
          out[i] = r.getLong(1);
          out[t.length] += out[i];
        }
      }
      return out;
    }
  }

  static String lsn(PGSimpleDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
      r.next();
      return r.getString(1);
    }
  }

  static long walDiff(PGSimpleDataSource ds, String from) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + from + "')::bigint")) {
      r.next();
      return r.getLong(1);
    }
  }
}
