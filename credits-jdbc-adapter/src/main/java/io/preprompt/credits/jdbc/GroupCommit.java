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
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Group commit: concurrent commits on different accounts share one PostgreSQL transaction, so one
 * round trip and one WAL flush serve them all.
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
 * <p><b>What a batch writes.</b> Three statements in one multi-statement execute on a connection in
 * auto-commit mode, so one implicit transaction committed at the driver's {@code Sync}: the
 * accounts' row locks, taken in the order of their ids so that batches of two stores (two
 * instances of the host) sharing accounts never deadlock; the accounts' guarded updates, one row per
 * change from arrays ({@code unnest}); then every other row of every change, each kind from its
 * arrays, as the parts of one {@code WITH}. The last two divide by zero unless every guarded row
 * matched. The texts never
 * change, so each connection prepares them once and reuses the plan, whatever the batch holds.
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
    Pending me = new Pending(change);
    List<Pending> batch = null;
    boolean interrupted = false;
    lock.lock();
    try {
      queue.add(me);
      while (me.state == State.QUEUED || me.state == State.TAKEN) {
        if (me.state == State.QUEUED && writing < writers && !busy.contains(me.account)) {
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

  /** Wakes the first queued caller that may lead a batch now, if any. Under the lock. */
  private void wakeNextLeader() {
    if (writing >= writers) {
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
      lost = e.cause;
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
    final transient SQLException cause;

    LostAnswer(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
      this.cause = cause;
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
        bind(c, ps, batch);
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
          rollbackQuietly(c, e);
          throw e;
        }
        if (lostAnswer(c, e)) {
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

  private static void rollbackQuietly(Connection c, SQLException failure) {
    try {
      c.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Tells whether a statement's answer may have been lost rather than refused: the connection broke
   * (SQL state class {@code 08}, the backend terminated: {@code 57P0x}), or the failure has no state.
   */
  private static boolean lostAnswer(Connection c, SQLException e) {
    String state = JdbcCreditStore.sqlState(e);
    if (state == null || state.startsWith("08") || state.startsWith("57P0")) {
      return true;
    }
    try {
      return c.isClosed();
    } catch (SQLException closed) {
      e.addSuppressed(closed);
      return true;
    }
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

  /** Column arrays, filled change by change. */
  private static final class Columns {
    final Object[][] values;
    int rows;

    Columns(int columns, int capacity) {
      values = new Object[columns][capacity];
    }

    void add(Object... row) {
      if (rows == values[0].length) {
        for (int i = 0; i < values.length; i++) {
          values[i] = java.util.Arrays.copyOf(values[i], rows * 2);
        }
      }
      for (int i = 0; i < row.length; i++) {
        values[i][rows] = row[i];
      }
      rows++;
    }
  }

  /** The SQL types of {@link Statements#groupCommit}'s arrays, in order. */
  static final String[][] ARRAY_TYPES = {
      // accounts: id, version, last_sequence, granted, settled, expired, debited, active_holds,
      // plan_due_at, expected version, previous sequence
      {"text", "int8", "int8", "int8", "int8", "int8", "int8", "int8", "text", "int8", "int8"},
      // changed lots: account, lot_id, remaining, reserved, expires_at
      {"text", "int8", "int8", "int8", "text"},
      // spent lots: account, lot_id
      {"text", "int8"},
      // ended holds: account, hold_id, state, settled, ended_at
      {"text", "text", "text", "int8", "text"},
      // new lots: account, lot_id, source, granted, remaining, reserved, granted_at, expires_at
      {"text", "int8", "text", "int8", "int8", "int8", "text", "text"},
      // new holds: account, hold_id, amount, state, created_at, deadline, settled, ended_at, metadata, allocations
      {"text", "text", "int8", "text", "text", "text", "int8", "text", "text", "text"},
      // ledger: account, sequence, type, amount, lot_id, source, hold_id, idem_key, at, metadata, kind, model
      {"text", "int8", "text", "int8", "int8", "text", "text", "text", "text", "text", "text", "text"},
      // idempotency: account, idem_key, operation, fingerprint, result, at
      {"text", "text", "text", "text", "text", "text"}};

  private static void bind(Connection c, PreparedStatement ps, List<Pending> batch) throws SQLException {
    int n = batch.size();
    Columns accounts = new Columns(ARRAY_TYPES[0].length, n);
    Columns changedLots = new Columns(ARRAY_TYPES[1].length, n);
    Columns spentLots = new Columns(ARRAY_TYPES[2].length, 4);
    Columns endedHolds = new Columns(ARRAY_TYPES[3].length, n);
    Columns newLots = new Columns(ARRAY_TYPES[4].length, 4);
    Columns newHolds = new Columns(ARRAY_TYPES[5].length, n);
    Columns entries = new Columns(ARRAY_TYPES[6].length, n);
    Columns keys = new Columns(ARRAY_TYPES[7].length, n);
    for (Pending p : batch) {
      AccountChange change = p.change;
      AccountRecord a = change.account();
      String id = a.id().value();
      long previous = change.entries().isEmpty() ? a.lastSequence() : change.entries().get(0).sequence() - 1;
      accounts.add(id, a.version(), a.lastSequence(), a.granted(), a.settled(), a.expired(), a.debited(),
          a.activeHolds(), time(a.planDueAt()), change.expectedVersion(), previous);
      for (Lot lot : change.changedLots()) {
        if (lot.isLive()) {
          changedLots.add(id, lot.id().value(), lot.remaining(), lot.reserved(), time(lot.expiresAt()));
        } else {
          spentLots.add(id, lot.id().value());
        }
      }
      for (Hold h : change.endedHolds()) {
        endedHolds.add(id, h.id().value(), h.state().name(), h.settled(), time(h.endedAt()));
      }
      for (Lot lot : change.newLots()) {
        newLots.add(id, lot.id().value(), lot.source().name(), lot.granted(), lot.remaining(), lot.reserved(),
            time(lot.grantedAt()), time(lot.expiresAt()));
      }
      for (Hold h : change.newHolds()) {
        newHolds.add(id, h.id().value(), h.amount(), h.state().name(), time(h.createdAt()), time(h.deadline()),
            h.settled(), time(h.endedAt()), Codec.metadataJson(h.metadata()), Codec.allocationsJson(h.allocations()));
      }
      for (LedgerEntry e : change.entries()) {
        entries.add(id, e.sequence(), e.type().name(), e.amount(), e.lot().value(), e.source().name(),
            e.hold() == null ? null : e.hold().value(), e.key() == null ? null : e.key().value(), time(e.at()),
            Codec.metadataJson(e.metadata()), e.kind(), e.model());
      }
      IdempotencyRecord record = change.idempotency();
      if (record != null) {
        keys.add(id, record.key().value(), record.operation(), record.fingerprint(), record.result(),
            time(record.at()));
      }
    }
    Object[] ids = new String[n];
    System.arraycopy(accounts.values[0], 0, ids, 0, n);
    ps.setArray(1, c.createArrayOf("text", ids));
    int p = 2;
    Columns[] kinds = {accounts, changedLots, spentLots, endedHolds, newLots, newHolds, entries, keys};
    for (int i = 0; i < kinds.length; i++) {
      p = bindArrays(c, ps, p, ARRAY_TYPES[i], kinds[i]);
    }
  }

  private static int bindArrays(Connection c, PreparedStatement ps, int p, String[] types, Columns columns)
      throws SQLException {
    for (int i = 0; i < types.length; i++) {
      Object[] values = columns.values[i];
      Object[] column = "int8".equals(types[i]) ? new Long[columns.rows] : new String[columns.rows];
      System.arraycopy(values, 0, column, 0, columns.rows);
      Array array = c.createArrayOf(types[i], column);
      ps.setArray(p++, array);
    }
    return p;
  }

  /**
   * An instant as PostgreSQL's {@code timestamptz} input reads it exactly: UTC, rounded half up to
   * the microsecond as the driver rounds an instant it binds ({@code 2026-12-02 07:30:22.123456+00},
   * {@code 4714-11-24 00:00:00+00 BC}).
   *
   * @throws IllegalArgumentException when the store cannot keep it
   */
  static @Nullable String time(@Nullable Instant instant) {
    if (instant == null) {
      return null;
    }
    Codec.timestamp(instant);
    long seconds = instant.getEpochSecond();
    int micros = (instant.getNano() + 500) / 1000;
    if (micros == 1_000_000) {
      seconds++;
      micros = 0;
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    int year = t.getYear();
    boolean bc = year <= 0;
    StringBuilder sb = new StringBuilder(40);
    pad(sb, bc ? 1 - year : year, 4).append('-');
    pad(sb, t.getMonthValue(), 2).append('-');
    pad(sb, t.getDayOfMonth(), 2).append(' ');
    pad(sb, t.getHour(), 2).append(':');
    pad(sb, t.getMinute(), 2).append(':');
    pad(sb, t.getSecond(), 2).append('.');
    pad(sb, micros, 6).append("+00");
    return bc ? sb.append(" BC").toString() : sb.toString();
  }

  private static StringBuilder pad(StringBuilder sb, int value, int width) {
    String digits = Integer.toString(value);
    for (int i = digits.length(); i < width; i++) {
      sb.append('0');
    }
    return sb.append(digits);
  }
}
