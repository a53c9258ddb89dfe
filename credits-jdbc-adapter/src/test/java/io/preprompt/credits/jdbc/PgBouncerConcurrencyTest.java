package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many writers through pgbouncer in transaction pooling mode, with {@code prepareThreshold=0}: more
 * client connections than pgbouncer has server connections, so consecutive transactions of one
 * client run on different server connections, and the writers of {@link PostgresConcurrencyTest}
 * must leave the same consistent accounts.
 */
@DisplayName("JdbcCreditStore through pgbouncer in transaction mode under 32 concurrent writers")
class PgBouncerConcurrencyTest {
  private static final int THREADS = 32;
  private static final int OPS_PER_THREAD = 50;
  private static final String[] SERVER_CONNECTIONS = {"sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login"};

  private final PgBouncer bouncer = PgBouncer.get();

  @Test
  @Timeout(180)
  @DisplayName("32 client connections over 4 server connections: balances hold, credits are conserved, keys take effect once")
  void clientPerWriter() throws Exception {
    Databases.Target target = Databases.PGBOUNCER.fresh();
    long calls = PostgresConcurrencyTest.manyWritersFewAccounts(target, THREADS, OPS_PER_THREAD,
        thread -> JdbcCreditStore.create(TestDataSource.pooled(bouncer.url()), target.config()));

    assertThat(calls).isEqualTo((long) THREADS * OPS_PER_THREAD);
    // Each writer's client connection is still open (its pool keeps it): all of them were served by
    // at most the pool's few server connections.
    Map<String, String> pool = bouncer.pool();
    assertThat(pool.get("pool_mode")).isEqualTo("transaction");
    assertThat(PgBouncer.sum(pool, "cl_active", "cl_waiting")).as("client connections in %s", pool)
        .isGreaterThanOrEqualTo(THREADS);
    assertThat(PgBouncer.sum(pool, SERVER_CONNECTIONS)).as("server connections in %s", pool)
        .isBetween(1L, (long) bouncer.poolSize());
  }

  @Test
  @Timeout(180)
  @DisplayName("one store shared by 32 writers, every commit through group commit: batches commit through pgbouncer")
  void groupCommitThroughTheBouncer() throws Exception {
    Databases.Target target = Databases.PGBOUNCER.fresh();
    JdbcCreditStore shared = JdbcCreditStore.create(TestDataSource.pooled(bouncer.url()), target.config());
    shared.batchEveryCommit();

    long calls = PostgresConcurrencyTest.manyWritersFewAccounts(target, THREADS, OPS_PER_THREAD, thread -> shared);

    assertThat(calls).isEqualTo((long) THREADS * OPS_PER_THREAD);
    long[] groupCommits = shared.groupCommits();
    assertThat(groupCommits[0]).as("batches of two or more committed").isPositive();
    assertThat(groupCommits[3]).as("batches that failed whole").isZero();
    assertThat(PgBouncer.sum(bouncer.pool(), SERVER_CONNECTIONS)).isBetween(1L, (long) bouncer.poolSize());
  }
}
