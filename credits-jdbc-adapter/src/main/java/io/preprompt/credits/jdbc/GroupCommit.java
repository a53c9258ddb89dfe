package io.preprompt.credits.jdbc;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.IdempotencyRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Group commit: concurrent commits on different accounts share one PostgreSQL transaction, so one
 * round trip and one WAL flush serve them all.
 *
 * <p><b>When it batches.</b> While few commits of the store are under way at once (at most
 * {@link #ALONE_UP_TO}), each commits alone, in parallel, as without group commit. Past that, they
 * queue for batches.
 *
 * <p><b>How a batch forms.</b> No thread of its own: a caller whose change is queued becomes the
 * batch's <em>leader</em> when fewer than {@code writers} batches are being written and no batch
 * being written holds its account. The leader takes its own change and every queued change of
 * another account (one change per account, at most {@link #MAX_BATCH}), writes them on one pooled
 * connection, and hands each caller its outcome. Callers that arrive while batches are being written
 * queue up for the next one, so batches grow with the load and a lone caller (one thread, or a
 * quiet moment) goes straight through as if there were no batching: its batch of one is the store's
 * ordinary commit.
 *
 * <p><b>What a batch writes.</b> Two statements in one multi-statement execute on a connection in
 * auto-commit mode, so one implicit transaction committed at the driver's {@code Sync}. First the
 * accounts' row locks, taken in the order of their ids, so that batches of two stores (two
 * instances of the host) sharing accounts never deadlock. Then one {@code WITH}: the accounts'
 * guarded updates, one row per change, and every other row of the changes whose account matched,
 * each kind of row from one JSON parameter ({@code json_to_recordset}); it returns the ids of the
 * accounts written. The texts never change, so each connection prepares them once and reuses the
 * plan, whatever the batch holds.
 *
 * <p><b>Guarantees.</b> A caller is answered only once its batch committed. A change whose account
 * moved on since the change was made (a stale version) is left out of the batch, which commits the
 * others; that caller then commits alone, which reports the conflict exactly as without batching.
 * When the batch fails without its answer lost (a key or another constraint taken by one change, a
 * guarded row changed by hand), nothing was written, and each caller commits its own change alone:
 * one retry, after which only its own change decides its outcome. When the answer was lost (the
 * connection broke), each caller gets {@link StoreException.Outcome#UNKNOWN}, which resending the
 * call with its key resolves, as for any commit. A batch never holds two changes of one account,
 * and a store's batches being written never share an account, so they never wait on each other's
 * locks.
 */
final class GroupCommit {
  /** At most this many changes go into one batch. */
  static final int MAX_BATCH = 64;
  /**
   * A batch starts while another is being written only when at least this many changes wait: a
   * smaller one would spend a round trip and a flush on few changes, and the waiting changes go
   * together as soon as the batch being written ends. Measured on a durable PostgreSQL at 16
   * threads: with 4, batches of 5 changes on average and fewer pairs per second than with one batch
   * at a time; with 8, batches of 8 and the most pairs per second; with 12, as one at a time.
   */
  static final int MIN_NEXT_BATCH = 8;
  /**
   * While at most this many commits of the store are under way, each commits alone: a few commits
   * run in parallel on their own connections sooner than one batch after another on one. Measured
   * with {@code credits-benchmarks/paired/ConfigSlices.java} on a durable PostgreSQL, on/off: with 4
   * here, 0.67× at 8 threads and 1.07–1.19× at 16; with 8, 1.06× at 8 threads, 0.81× at 12 and
   * 1.17–1.62× at 16.
   */
  static final int ALONE_UP_TO = 8;
  /** The callers inside {@link #commit}. */
  private final AtomicInteger inside = new AtomicInteger();

  /** Writes one change alone: the store's ordinary commit. */
  @FunctionalInterface
  interface Alone {
    CommitOutcome commit(AccountChange change);
  }

  private enum State {
    QUEUED, TAKEN, COMMITTED, ALONE, UNKNOWN
  }

  /** A caller's change on its way through. Guarded by {@link #lock}. */
  private final class Pending {
    final AccountChange change;
    final AccountId account;
    final Condition done = lock.newCondition();
    State state = State.QUEUED;
    @Nullable SQLException lost;
    int batchSize;

    Pending(AccountChange change) {
      this.change = change;
      this.account = change.account().id();
    }
  }

  private final DataSource dataSource;
  private final Statements sql;
  private final int writers;
  /** {@link #ALONE_UP_TO}; tests set 0 to batch every commit. */
  private volatile int aloneUpTo = ALONE_UP_TO;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** The accounts of the batches being written. */
  private final Set<AccountId> busy = new HashSet<>();
  private int writing;
  private final LongAdder batches = new LongAdder();
  private final LongAdder batchedChanges = new LongAdder();
  private final LongAdder failedBatches = new LongAdder();
  private final LongAdder leftOut = new LongAdder();

  GroupCommit(DataSource dataSource, Statements sql, int writers) {
    if (writers < 1) {
      throw new IllegalArgumentException("writers must be positive, was " + writers);
    }
    this.dataSource = dataSource;
    this.sql = sql;
    this.writers = writers;
  }

  /**
   * Commits the change, in a batch with others when there are others.
   *
   * @param change an existing account's change that leaves its plan as stored
   * @param alone the store's ordinary commit, for a batch of one and for the retry of a failed batch
   * @return the change's outcome
   * @throws StoreException with {@link StoreException.Outcome#UNKNOWN} when the batch's answer was lost
   */
  CommitOutcome commit(AccountChange change, Alone alone) {
    int committing = inside.incrementAndGet();
    try {
      if (committing <= aloneUpTo) {
        // Few commits at once: each alone, in parallel, is faster than one batch after another.
        return alone.commit(change);
      }
      return batched(change, alone);
    } finally {
      inside.decrementAndGet();
    }
  }

  private CommitOutcome batched(AccountChange change, Alone alone) {
    Pending me = new Pending(change);
    List<Pending> batch = null;
    boolean interrupted = false;
    lock.lock();
    try {
      queue.add(me);
      while (me.state == State.QUEUED || me.state == State.TAKEN) {
        if (me.state == State.QUEUED && mayLead() && !busy.contains(me.account)) {
          batch = take(me);
          break;
        }
        try {
          me.done.await();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      lock.unlock();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (batch != null) {
      return lead(me, batch, alone);
    }
    return outcome(me, alone);
  }

  /** Takes the leader's change and every queued change of an account not already taken. Under the lock. */
  private List<Pending> take(Pending leader) {
    List<Pending> batch = new ArrayList<>();
    queue.remove(leader);
    leader.state = State.TAKEN;
    busy.add(leader.account);
    batch.add(leader);
    for (Iterator<Pending> it = queue.iterator(); it.hasNext() && batch.size() < MAX_BATCH; ) {
      Pending p = it.next();
      if (busy.add(p.account)) {
        it.remove();
        p.state = State.TAKEN;
        batch.add(p);
      }
    }
    writing++;
    wakeNextLeader();
    return batch;
  }

  /**
   * Tells whether a queued caller may start a batch now. With none being written, at once: a lone
   * caller is not kept waiting. With one or more being written, only when enough callers wait for
   * another batch to be worth its own round trip and flush; until then they wait for the batch
   * being written to end, and go together. Under the lock.
   */
  private boolean mayLead() {
    return writing == 0 || (writing < writers && queue.size() >= MIN_NEXT_BATCH);
  }

  /** Wakes the first queued caller that may lead a batch now, if any. Under the lock. */
  private void wakeNextLeader() {
    if (!mayLead()) {
      return;
    }
    for (Pending p : queue) {
      if (!busy.contains(p.account)) {
        p.done.signal();
        return;
      }
    }
  }

  /** Writes the batch, answers its callers, and returns the leader's own outcome. */
  private CommitOutcome lead(Pending me, List<Pending> batch, Alone alone) {
    if (batch.size() == 1) {
      // Nobody to share with: the ordinary commit, with this account kept out of other batches.
      try {
        return alone.commit(me.change);
      } finally {
        finish(batch, State.COMMITTED, Set.of(me.account.value()), null);
      }
    }
    Set<String> committed = Set.of();
    State result = State.ALONE;
    SQLException lost = null;
    try {
      committed = write(batch);
      result = State.COMMITTED;
      leftOut.add(batch.size() - committed.size());
    } catch (LostAnswer e) {
      result = State.UNKNOWN;
      lost = (SQLException) e.getCause();
    } catch (SQLException | RuntimeException e) {
      // Nothing was written: every caller commits alone.
      failedBatches.increment();
    } catch (Error e) {
      finish(batch, State.ALONE, Set.of(), null);
      throw e;
    }
    finish(batch, result, committed, lost);
    return outcome(me, alone);
  }

  /** Marks the batch's changes and wakes their callers and the next leader. */
  private void finish(List<Pending> batch, State result, Set<String> committed, @Nullable SQLException lost) {
    lock.lock();
    try {
      writing--;
      for (Pending p : batch) {
        busy.remove(p.account);
        // A committed batch left out the changes whose account had moved on: they commit alone.
        p.state = result == State.COMMITTED && !committed.contains(p.account.value()) ? State.ALONE : result;
        p.lost = lost;
        p.batchSize = batch.size();
        p.done.signal();
      }
      wakeNextLeader();
    } finally {
      lock.unlock();
    }
  }

  /** The outcome of a change whose batch is over. */
  private static CommitOutcome outcome(Pending p, Alone alone) {
    switch (p.state) {
      case COMMITTED:
        return CommitOutcome.COMMITTED;
      case ALONE:
        return alone.commit(p.change);
      case UNKNOWN:
        throw JdbcCreditStore.failure("commit account " + p.account.value() + " (in a group commit of " + p.batchSize
            + " changes)", p.lost, StoreException.Outcome.UNKNOWN);
      default:
        throw new IllegalStateException("a change left its batch unfinished: " + p.state);
    }
  }

  /** The batch's answer was lost: it may have committed. */
  private static final class LostAnswer extends Exception {
    private static final long serialVersionUID = 1L;

    LostAnswer(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * Writes the batch's changes in one transaction.
   *
   * @throws LostAnswer when the batch may have committed
   * @throws SQLException when nothing was written
   */
  private Set<String> write(List<Pending> batch) throws SQLException, LostAnswer {
    Connection c = dataSource.getConnection();
    try {
      boolean autoCommit = c.getAutoCommit();
      Set<String> committed = new HashSet<>();
      try (PreparedStatement ps = c.prepareStatement(sql.groupCommit)) {
        bind(ps, batch);
        ps.execute();
        // The first result counts the locked accounts; the second names those written.
        if (!ps.getMoreResults()) {
          throw new SQLException("the group commit returned no accounts", "XX000");
        }
        try (ResultSet rs = ps.getResultSet()) {
          while (rs.next()) {
            committed.add(rs.getString(1));
          }
        }
      } catch (SQLException e) {
        if (!autoCommit) {
          // No COMMIT was sent: the transaction is rolled back, here or by the server.
          JdbcCreditStore.rollback(c, e);
          throw e;
        }
        if (JdbcCreditStore.answerLost(c, e)) {
          throw new LostAnswer(e);
        }
        throw e;
      }
      if (!autoCommit) {
        // A pool handing out connections with auto-commit off: the same statements, then COMMIT.
        try {
          c.commit();
        } catch (SQLException e) {
          throw new LostAnswer(e);
        }
      }
      count(batch);
      return committed;
    } finally {
      try {
        c.close();
      } catch (SQLException e) {
        // Only giving the connection back failed: the outcome stands; the pool discards it.
      }
    }
  }

  private void count(List<Pending> batch) {
    batches.increment();
    batchedChanges.add(batch.size());
  }

  /** Batches of two or more changes committed, for tests and metrics. */
  long batches() {
    return batches.sum();
  }

  /** Changes in the batches committed, those left out included. */
  long batchedChanges() {
    return batchedChanges.sum();
  }

  /** Batches that failed whole, their changes then committed alone. */
  long failedBatches() {
    return failedBatches.sum();
  }

  /** Changes a committed batch left out because their account had moved on. */
  long leftOut() {
    return leftOut.sum();
  }

  /** Sets how many commits at once still commit alone; tests set 0 to batch every commit. */
  void aloneUpTo(int commits) {
    aloneUpTo = commits;
  }

  /** Changes waiting for a batch. */
  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Binding

  /**
   * The columns of {@link Statements#groupCommit}'s JSON parameters, one per kind of row, in the
   * order they are bound: accounts, changed lots, spent lots, ended holds, new lots, new holds,
   * ledger entries, idempotency records. Each row is an object with these keys.
   */
  static final String[] COLUMNS = {
      "id TEXT, version BIGINT, last_sequence BIGINT, granted BIGINT, settled BIGINT, expired BIGINT,"
          + " debited BIGINT, active_holds BIGINT, plan_due_at TIMESTAMPTZ, debt BIGINT, overage_mode TEXT,"
          + " overage_max_debt BIGINT, expected BIGINT, previous BIGINT",
      "account TEXT, lot_id BIGINT, remaining BIGINT, reserved BIGINT, expires_at TIMESTAMPTZ",
      "account TEXT, lot_id BIGINT",
      "account TEXT, hold_id TEXT, state TEXT, settled BIGINT, ended_at TIMESTAMPTZ",
      "account TEXT, lot_id BIGINT, source TEXT, granted BIGINT, remaining BIGINT, reserved BIGINT,"
          + " granted_at TIMESTAMPTZ, expires_at TIMESTAMPTZ",
      "account TEXT, hold_id TEXT, amount BIGINT, state TEXT, created_at TIMESTAMPTZ, deadline TIMESTAMPTZ,"
          + " settled BIGINT, ended_at TIMESTAMPTZ, metadata JSONB, allocations JSONB",
      "account TEXT, sequence BIGINT, type TEXT, amount BIGINT, lot_id BIGINT, source TEXT, hold_id TEXT,"
          + " idem_key TEXT, at TIMESTAMPTZ, metadata JSONB, kind TEXT, model TEXT",
      "account TEXT, idem_key TEXT, operation TEXT, fingerprint TEXT, result TEXT, at TIMESTAMPTZ"};

  /** A JSON array of row objects, written field by field. */
  private static final class JsonRows {
    final StringBuilder sb = new StringBuilder(512).append('[');
    private boolean firstRow = true;
    private boolean firstField;

    JsonRows row() {
      if (!firstRow) {
        sb.append("},");
      }
      firstRow = false;
      firstField = true;
      sb.append('{');
      return this;
    }

    private StringBuilder key(String name) {
      if (!firstField) {
        sb.append(',');
      }
      firstField = false;
      return sb.append('"').append(name).append("\":");
    }

    JsonRows text(String name, @Nullable String value) {
      Json.write(key(name), value);
      return this;
    }

    JsonRows number(String name, long value) {
      key(name).append(value);
      return this;
    }

    JsonRows time(String name, @Nullable Instant value) {
      key(name);
      if (value == null) {
        sb.append("null");
      } else {
        sb.append('"');
        Codec.timestampText(sb, value);
        sb.append('"');
      }
      return this;
    }

    /** A value that is JSON already. */
    JsonRows json(String name, String json) {
      key(name).append(json);
      return this;
    }

    String done() {
      return (firstRow ? sb : sb.append('}')).append(']').toString();
    }
  }

  private static void bind(PreparedStatement ps, List<Pending> batch) throws SQLException {
    JsonRows accounts = new JsonRows();
    JsonRows changedLots = new JsonRows();
    JsonRows spentLots = new JsonRows();
    JsonRows endedHolds = new JsonRows();
    JsonRows newLots = new JsonRows();
    JsonRows newHolds = new JsonRows();
    JsonRows entries = new JsonRows();
    JsonRows keys = new JsonRows();
    for (Pending p : batch) {
      AccountChange change = p.change;
      AccountRecord a = change.account();
      String id = a.id().value();
      JdbcCreditStore.Rows rows = new JdbcCreditStore.Rows(change);
      accounts.row().text("id", id).number("version", a.version()).number("last_sequence", a.lastSequence())
          .number("granted", a.granted()).number("settled", a.settled()).number("expired", a.expired())
          .number("debited", a.debited()).number("active_holds", a.activeHolds()).time("plan_due_at", a.planDueAt())
          .number("debt", a.debt()).text("overage_mode", a.overage() == null ? null : a.overage().mode().name())
          .number("overage_max_debt", a.overage() == null ? 0 : a.overage().maxDebt())
          .number("expected", change.expectedVersion()).number("previous", JdbcCreditStore.previousSequence(change));
      for (Lot lot : rows.changedLots()) {
        changedLots.row().text("account", id).number("lot_id", lot.id().value()).number("remaining", lot.remaining())
            .number("reserved", lot.reserved()).time("expires_at", lot.expiresAt());
      }
      for (Lot lot : rows.spentLots()) {
        spentLots.row().text("account", id).number("lot_id", lot.id().value());
      }
      for (Hold h : rows.endedHolds()) {
        endedHolds.row().text("account", id).text("hold_id", h.id().value()).text("state", h.state().name())
            .number("settled", h.settled()).time("ended_at", h.endedAt());
      }
      for (Lot lot : change.newLots()) {
        newLots.row().text("account", id).number("lot_id", lot.id().value()).text("source", lot.source().name())
            .number("granted", lot.granted()).number("remaining", lot.remaining()).number("reserved", lot.reserved())
            .time("granted_at", lot.grantedAt()).time("expires_at", lot.expiresAt());
      }
      for (Hold h : change.newHolds()) {
        newHolds.row().text("account", id).text("hold_id", h.id().value()).number("amount", h.amount())
            .text("state", h.state().name()).time("created_at", h.createdAt()).time("deadline", h.deadline())
            .number("settled", h.settled()).time("ended_at", h.endedAt())
            .json("metadata", Codec.metadataJson(h.metadata()))
            .json("allocations", Codec.allocationsJson(h.allocations()));
      }
      for (LedgerEntry e : change.entries()) {
        entries.row().text("account", id).number("sequence", e.sequence()).text("type", e.type().name())
            .number("amount", e.amount()).number("lot_id", e.lot().value()).text("source", e.source().name())
            .text("hold_id", e.hold() == null ? null : e.hold().value())
            .text("idem_key", e.key() == null ? null : e.key().value()).time("at", e.at())
            .json("metadata", Codec.metadataJson(e.metadata())).text("kind", e.kind()).text("model", e.model());
      }
      IdempotencyRecord record = change.idempotency();
      if (record != null) {
        keys.row().text("account", id).text("idem_key", record.key().value()).text("operation", record.operation())
            .text("fingerprint", record.fingerprint()).text("result", record.result()).time("at", record.at());
      }
    }
    String accountRows = accounts.done();
    ps.setString(1, accountRows);
    ps.setString(2, accountRows);
    JsonRows[] kinds = {changedLots, spentLots, endedHolds, newLots, newHolds, entries, keys};
    for (int i = 0; i < kinds.length; i++) {
      ps.setString(i + 3, kinds[i].done());
    }
  }
}
