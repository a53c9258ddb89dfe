package io.preprompt.credits.jdbc;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.spi.KeyedRead;
import io.preprompt.credits.spi.PlanRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CreditStore} on JDBC: PostgreSQL in production, H2 embedded. Many application
 * instances may share one database.
 *
 * <h2>Standalone</h2>
 * {@link #create(DataSource, JdbcStoreConfig)} borrows a connection from the host's pool for each
 * call and returns it at once; the store has no pool of its own.
 *
 * <p>An account is a row of counters and plan, a row per lot and a row per hold (see the schema);
 * ledger entries and idempotency records are rows of their own, only ever inserted. A call reads
 * and writes only the rows it touches, so its cost does not grow with the account's history nor
 * with its active holds. {@link #load} and {@link #readForCall} are one statement each (one
 * {@code UNION ALL} of typed rows): the idempotency record when the call has a key, the account
 * row, its live lots, the holds the {@link HoldSelection} asks for (by primary key for the named
 * ones, through the index of active holds by account and deadline for the overdue ones) and the
 * earliest active deadline (the first entry of that index). {@link #findHold} reads the hold's row.
 *
 * <p>Each {@link #commit} is one transaction. The account row is written first: an {@code INSERT}
 * for a new account, else an {@code UPDATE ... WHERE id = ? AND version = ? AND last_sequence = ?}
 * guarded by the expected version (and by the ledger position the change continues from). The
 * update takes the account's row lock before any other row of the account is written, so concurrent
 * commits of one account serialize. Then the new lots are inserted, the changed lots updated by
 * {@code (account, lot_id)} while live (and deleted when the change leaves them spent: the table
 * holds live lots only), the new holds inserted {@code ACTIVE}, the ended holds
 * updated by {@code (account, hold_id)} only where still {@code ACTIVE}, and the ledger entries and
 * the idempotency record inserted. A version that moved, an account that already exists, a hold
 * that is no longer active (its update matched no row), an idempotency key taken meanwhile, a
 * serialization failure, a deadlock or a lock wait timeout (SQL states {@code 40001},
 * {@code 40P01}, {@code 55P03}; H2's {@code 90131}, {@code HYT00}) roll the transaction back and return
 * {@link CommitOutcome#CONFLICT}: core reads again and retries. A change that cannot follow from
 * the stored account (entries that do not continue its ledger, a lot or hold id already used, a
 * changed lot that is not live) rolls back and throws {@link IllegalArgumentException}. Any other
 * {@link SQLException} rolls back and is thrown as {@link StoreException} with its SQL state;
 * nothing of the change is left behind. Its {@link StoreException#outcome() outcome} is
 * {@link StoreException.Outcome#UNKNOWN} only when the change may have been committed: the
 * {@code COMMIT} itself failed, or a statement that commits itself (auto-commit) lost its answer
 * (the connection broke: SQL state class {@code 08}, a terminated backend, a closed connection).
 * Reads, and failures before the commit was sent, are {@link StoreException.Outcome#NOT_APPLIED}:
 * the server rolls back a transaction that was not committed, even when the connection broke.
 * Every write is guarded, so READ COMMITTED (the PostgreSQL
 * default) is enough; stricter levels and PostgreSQL-compatible distributed engines report their
 * conflicts as {@code 40001}, which becomes a conflict too.
 *
 * <p>On PostgreSQL a commit of an existing account, when the store owns the transaction, takes
 * one round trip for its writes. On a connection in auto-commit mode (what pools hand out) they are
 * one statement: the parts above as data-modifying {@code WITH} parts (multi-row {@code INSERT}s,
 * and multi-row {@code UPDATE}s joined to a {@code VALUES} list for changed lots and ended holds),
 * each waiting for the account's guarded update, and a closing division that fails when a guarded
 * part matched fewer rows than it should; the server commits the statement only if it succeeded, so
 * that is the whole commit. Otherwise the same parts go as one multi-statement prepared statement,
 * which the driver pipelines, plus the {@code COMMIT}. When anything does not do exactly what it
 * should, nothing of it is kept and the change is written again in a transaction, one kind of row
 * at a time (one round trip per kind, as on H2 and inside a host's transaction), which decides
 * between conflict, malformed change and failure as described above. A keyed hold or settle
 * therefore costs two round trips on PostgreSQL, {@link #readForCall} and the commit, and one when
 * core runs it on the state its own last commit left
 * ({@link io.preprompt.credits.CreditServiceBuilder#reuseCommittedAccounts}).
 *
 * <h2>Inside the host's transaction</h2>
 * {@link #inHostTransaction} runs every call on the connection of the host's current transaction,
 * which a {@link ConnectionProvider} hands out and takes back, and never commits, rolls back or
 * closes it: a credits change becomes durable when the host commits, and disappears when the host
 * rolls back, so such a commit reports {@link CommitOutcome#WRITTEN_IN_HOST_TRANSACTION} and core
 * never runs a later call on the state it wrote without reading it again. What core tells listeners
 * about the change waits for the host's commit ({@link #whenDurable}, through
 * {@link ConnectionProvider#afterCommit}) and is dropped when the host rolls back. Spring's
 * transactions take a provider of a few lines (the README shows it); a host that runs its own
 * transaction on a plain connection uses {@link HostTransaction}. Each commit runs within a savepoint; a conflict
 * or failure rolls back to the savepoint, so the host's own work in the transaction survives, and
 * is reported as above. Two things follow from sharing the transaction: row locks taken by a
 * commit are held until the host commits, so keep host transactions short; and core's conflict
 * retries re-read inside the host's transaction, so they converge under READ COMMITTED but may
 * exhaust their attempts ({@link io.preprompt.credits.core.ConcurrentUpdateException}) under REPEATABLE
 * READ or SERIALIZABLE, where the host should retry its whole transaction. When the host's connection is in auto-commit
 * mode, the store makes each commit its own transaction on it and restores auto-commit afterwards;
 * that commit is durable and reports {@link CommitOutcome#COMMITTED}.
 *
 * <pre>{@code
 * try (Connection c = dataSource.getConnection()) {
 *   HostTransaction tx = HostTransaction.begin(c);
 *   CreditService credits = CreditService.builder()
 *       .store(JdbcCreditStore.inHostTransaction(tx, config))
 *       .listener(ui)
 *       .build();
 *   orders.insert(c, order);                     // the host's own write
 *   credits.settle(account, holdId, key);        // the credits change, same transaction
 *   tx.commit();                                 // both or neither; then the listener hears of it
 * }
 * }</pre>
 *
 * <p>The schema must exist: run the migrations under {@code db/credits/<dialect>/} with the host's
 * Flyway, or call {@link #install(DataSource, JdbcStoreConfig)} once at startup. Without it, calls
 * fail with a {@link StoreException} whose code is {@link ErrorCode#SCHEMA_NOT_INSTALLED} and whose
 * message names both ways; {@link #create} finds out at once when it can reach the database. The
 * dialect must be the database's: the store refuses H2 configured on PostgreSQL, or the reverse,
 * with an {@link InvalidRequestException} ({@link ErrorCode#INVALID_CONFIGURATION}) naming both, at
 * creation when it has a connection and else at its first call.
 *
 * <h2>Read replica</h2>
 * {@link #readReplica} gives the store a second data source, over a streaming standby, for
 * {@link #readHistory}: the ledger pages behind history and reports are read there, everything that
 * decides and every commit on the primary. A page read there trails the primary by the replication
 * delay.
 *
 * <h2>Ids compare exactly</h2>
 * Account ids, hold ids and idempotency keys are case-sensitive: {@code alice} and {@code Alice} are
 * two accounts. The id columns must therefore compare exactly, and a database that folds case (H2
 * with {@code IGNORECASE=TRUE}, a PostgreSQL column with a nondeterministic collation or of type
 * {@code citext}) would read and spend one account's credits as another's. The store checks this
 * itself: the first commit of each store, before writing anything, writes a probe row to every
 * table under ids with capital letters, looks each up in lower case and deletes them again, all in
 * the commit's transaction; when any is found the commit is refused with an
 * {@link InvalidRequestException} ({@link ErrorCode#INVALID_CONFIGURATION}) naming the columns, and
 * nothing is written. ({@link #create} only reads, and a host may create the store before its
 * database is up.) Every read by id also checks that the row it got holds exactly the id
 * asked for and throws the same exception when not, so a column altered later cannot merge accounts
 * either.
 */
public final class JdbcCreditStore implements CreditStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcCreditStore.class);

  /**
   * SQL states reported as a conflict: serialization failure, deadlock, H2's concurrent update, and
   * a lock wait that timed out (PostgreSQL's {@code lock_timeout}, H2's {@code LOCK_TIMEOUT}): another
   * writer holds the account, so the retry (or the caller, once retries run out) tries again later.
   */
  private static final Set<String> CONFLICT_STATES = Set.of("40001", "40P01", "90131", "55P03", "HYT00");
  private static final String UNIQUE_VIOLATION = "23505";

  /** The account {@link #create} reads to see that the schema is installed; it need not exist. */
  private static final AccountId SCHEMA_CHECK = AccountId.of("credits-schema-check");

  private final Access access;
  private final Statements sql;
  private final JdbcStoreConfig config;
  /** Set once a commit's probe found that the id columns compare exactly (see the class doc). */
  private volatile boolean idsCompareExactly;
  /** Set once the dialect was found to match the database (see {@link DatabaseChecks#requireDialect}). */
  private volatile boolean dialectChecked;

  /** Where {@link #readHistory} reads, when not {@link #access}: a read replica's pool. */
  private volatile @Nullable Access replica;
  /** Set once the replica's dialect was checked. */
  private volatile boolean replicaDialectChecked;
  /** Set while the replica's reads fail and history reads the primary, so the change is logged once. */
  private final AtomicBoolean replicaFailing = new AtomicBoolean();

  /** Group commit, for a store that runs its own transactions on PostgreSQL unless turned off. */
  private final @Nullable GroupCommit group;

  private JdbcCreditStore(Access access, JdbcStoreConfig config) {
    this.access = access;
    this.sql = new Statements(config);
    this.config = config;
    this.group = access instanceof PooledAccess pooled && config.groupCommit()
        ? new GroupCommit(pooled.dataSource, sql, config.groupCommitWriters()) : null;
  }

  /**
   * Group commit's counters, for tests: batches of two or more committed, the changes in them,
   * those changes left out as stale, and batches that failed whole.
   */
  long[] groupCommits() {
    GroupCommitStats stats = groupCommitStats().orElse(new GroupCommitStats(0, 0, 0, 0));
    return new long[] {stats.batches(), stats.batchedChanges(), stats.leftOut(), stats.failedBatches()};
  }

  /**
   * Returns what group commit did so far, for metrics (the Spring Boot starter publishes it).
   *
   * @return the counts, or empty when this store does not group commits (H2, a host's transaction,
   *     or {@link JdbcStoreConfig.Builder#groupCommit group commit} turned off)
   */
  public Optional<GroupCommitStats> groupCommitStats() {
    return group == null ? Optional.empty()
        : Optional.of(new GroupCommitStats(group.batches(), group.batchedChanges(), group.leftOut(),
            group.failedBatches()));
  }

  /** Makes every commit of the group commit batch, however few at once, for tests. */
  void batchEveryCommit() {
    if (group != null) {
      group.aloneUpTo(0);
    }
  }

  /** Changes waiting for a group commit, for tests. */
  int groupCommitQueue() {
    return group == null ? 0 : group.queued();
  }

  /**
   * Creates a store that borrows connections from the host's pool and runs each commit as its own
   * transaction.
   *
   * <p>When the database can be reached, the store checks it at once: that the dialect is the
   * database's, and that the schema is installed (it reads an account, which need not exist, the way
   * every call does). When it cannot be reached (the database is not up yet) the store is created all
   * the same, and the first call makes both checks.
   *
   * @param dataSource the host's data source (normally a pool)
   * @param config the dialect, schema and table prefix
   * @return the store
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when either is null,
   *     or when the dialect does not match the database (H2 configured on PostgreSQL, or the reverse)
   * @throws StoreException with {@link ErrorCode#SCHEMA_NOT_INSTALLED} when the schema is not
   *     installed, or older than this version of the library needs
   */
  public static JdbcCreditStore create(DataSource dataSource, JdbcStoreConfig config) {
    required(dataSource, "a data source");
    required(config, "a store config");
    return new JdbcCreditStore(new PooledAccess(dataSource), config).checkedAgainst(dataSource);
  }

  /**
   * Makes at once the checks {@link #create} makes: that the dialect is the database's and that
   * the schema is installed. For a store made with {@link #inHostTransaction}, which has no
   * connection of its own until its first call, when the host wants a bad setup to fail at startup.
   * When the database cannot be reached, nothing is checked (the first call checks).
   *
   * @param dataSource where the store's connections come from
   * @return this store
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when the dialect does
   *     not match the database
   * @throws StoreException with {@link ErrorCode#SCHEMA_NOT_INSTALLED} when the schema is not
   *     installed, or older than this version of the library needs
   */
  public JdbcCreditStore checkedAgainst(DataSource dataSource) {
    required(dataSource, "a data source");
    checkAtCreation(dataSource);
    return this;
  }

  /**
   * Reads history from a read replica: {@link #readHistory} (the ledger pages behind
   * {@code CreditService.history}, {@code forEachEntry} and the generation history and usage
   * reports) borrows its connections from this data source, a pool over a streaming standby of the
   * primary. Everything else, every read that decides (balances, holds, idempotency records,
   * reconciliation, plans, the sweep's queries) and every commit, stays on the store's own
   * connections. The replica's connections are only read from, once per call, and never written.
   *
   * <p>A replica trails its primary by the replication delay: a page read there may miss what was
   * just committed, so a caller that must see its own writes (read-your-writes) reads from a store
   * without a replica. Call this once, while setting the store up, before it is shared.
   *
   * <p>When a read there fails as a store failure (the replica down or unreachable, its pool
   * exhausted), the page is read from the primary instead, and the switch is logged once each way;
   * a replica without the credits schema, or of another dialect, is an error, not a fallback.
   *
   * @param replica the read replica's data source (normally a pool), read-only
   * @return this store
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when null, or when
   *     the dialect does not match the replica's database
   */
  public JdbcCreditStore readReplica(DataSource replica) {
    required(replica, "a read replica data source");
    try (Connection c = replica.getConnection()) {
      DatabaseChecks.requireDialect(c, config);
      replicaDialectChecked = true;
    } catch (SQLException e) {
      // Not reachable now (or its metadata unreadable): the first read there checks the dialect.
    }
    this.replica = new PooledAccess(replica);
    return this;
  }

  /**
   * Creates a store that works inside the host's transactions. For each read and each commit it
   * takes the connection of the caller's current transaction from the provider and gives it back
   * after ({@link ConnectionProvider#releaseConnection}); it never commits, rolls back or closes that
   * connection. In a transaction, each commit is written within a savepoint and reported as
   * {@link CommitOutcome#WRITTEN_IN_HOST_TRANSACTION}, and what core tells listeners about it is
   * handed to {@link ConnectionProvider#afterCommit}, so it is told after the host commits and never
   * when the host rolls back. On a connection in auto-commit mode (a call outside any transaction)
   * the store commits each change itself and listeners are told at once. The store lives as long as
   * the provider: once per application over Spring's transactions, once per transaction over a
   * {@link HostTransaction}.
   *
   * <p>The store has no connection yet, so its first call checks that the dialect is the
   * database's ({@link InvalidRequestException} with {@link ErrorCode#INVALID_CONFIGURATION} when
   * not); a missing schema surfaces as {@link ErrorCode#SCHEMA_NOT_INSTALLED} at the first call that
   * needs it.
   *
   * @param provider gets, gives back and follows the connection of the caller's current transaction
   * @param config the dialect, schema and table prefix
   * @return the store
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when either is null
   */
  public static JdbcCreditStore inHostTransaction(ConnectionProvider provider, JdbcStoreConfig config) {
    required(provider, "a connection provider");
    required(config, "a store config");
    return new JdbcCreditStore(new HostAccess(provider), config);
  }

  /**
   * Creates a store bound to one host connection and its transaction; shorthand for
   * {@code inHostTransaction(() -> connection, config)}. Like the connection, it is for one thread
   * at a time. Such a store cannot see when the host commits, so while the connection is in a
   * transaction, core's listeners are not told of its changes (core logs a warning rather than tell
   * them before the commit, see {@link ConnectionProvider#afterCommit}). With listeners, use
   * {@code inHostTransaction(HostTransaction.begin(connection), config)} and commit through the
   * {@link HostTransaction}.
   *
   * <p>The dialect is checked against the connection's metadata at once (no statement runs in the
   * host's transaction); a missing schema surfaces as {@link ErrorCode#SCHEMA_NOT_INSTALLED} at the
   * first call that needs it.
   *
   * @param connection the host's connection, normally with auto-commit off
   * @param config the dialect, schema and table prefix
   * @return the store
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when either is null,
   *     or when the dialect does not match the database
   */
  public static JdbcCreditStore withConnection(Connection connection, JdbcStoreConfig config) {
    required(connection, "a connection");
    JdbcCreditStore store = inHostTransaction(() -> connection, config);
    try {
      store.checkDialect(connection);
    } catch (SQLException e) {
      // The metadata cannot be read now (a closed connection): the first call checks, and fails there.
    }
    return store;
  }

  /**
   * Installs or upgrades the schema, for hosts without a migration tool; see
   * {@link SchemaInstaller#install(DataSource, JdbcStoreConfig)}.
   *
   * @param dataSource where to install
   * @param config the dialect, schema and table prefix
   * @return the schema version now installed
   * @throws StoreException when a statement fails
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when either is null,
   *     or when the dialect does not match the database
   */
  public static int install(DataSource dataSource, JdbcStoreConfig config) {
    return SchemaInstaller.install(dataSource, config);
  }

  static void required(@Nullable Object value, String what) {
    if (value == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "the JDBC store needs " + what + ", was null");
    }
  }

  /**
   * Checks the database when it can be reached: the dialect, then the schema, by reading an account
   * as every call does. Only a refusal is thrown; any other failure is left for the first call.
   */
  private void checkAtCreation(DataSource dataSource) {
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      return;
    }
    try (c) {
      checkDialect(c);
      boolean autoCommit = c.getAutoCommit();
      try {
        readAccount(c, SCHEMA_CHECK, null, HoldSelection.overdueAt(Instant.EPOCH));
      } catch (SQLException e) {
        if (!autoCommit) {
          rollback(c, e);
        }
        throw e;
      }
      if (!autoCommit) {
        c.rollback();
      }
    } catch (SQLException e) {
      StoreException failure = DatabaseChecks.typed(config, failure("check the credits schema", e));
      if (failure.code() == ErrorCode.SCHEMA_NOT_INSTALLED) {
        throw failure;
      }
    }
  }

  /** Checks the dialect against the database once per store, before its first statement. */
  private void checkDialect(Connection c) throws SQLException {
    if (!dialectChecked) {
      DatabaseChecks.requireDialect(c, config);
      dialectChecked = true;
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Reads

  @Override
  public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
    return read("load account " + account,
        c -> Optional.ofNullable(readAccount(c, account, null, holds).snapshot()));
  }

  /** The record and the account in one statement, so a keyed call starts with one round trip, not two. */
  @Override
  public KeyedRead readForCall(AccountId account, IdempotencyKey key, HoldSelection holds) {
    return read("read account " + account + " for a keyed call", c -> readAccount(c, account, key, holds));
  }

  /**
   * Reads, in one statement ({@link Statements#read}), the idempotency record when there is a key,
   * the account row, its live lots, the selected holds and the earliest active deadline.
   */
  private KeyedRead readAccount(Connection c, AccountId account, @Nullable IdempotencyKey key, HoldSelection selection)
      throws SQLException {
    String id = account.value();
    List<HoldId> named = List.copyOf(selection.named());
    try (PreparedStatement ps = c.prepareStatement(sql.read(named.size(), key != null))) {
      int p = 1;
      if (key != null) {
        ps.setString(p++, id);
        ps.setString(p++, key.value());
      }
      ps.setString(p++, id);
      ps.setString(p++, id);
      if (!named.isEmpty()) {
        ps.setString(p++, id);
        for (HoldId h : named) {
          ps.setString(p++, h.value());
        }
      }
      ps.setString(p++, id);
      ps.setObject(p++, Codec.boundAbove(selection.overdueAt()));
      ps.setString(p, id);
      AccountRecord record = null;
      IdempotencyRecord earlier = null;
      List<Lot> lots = new ArrayList<>(4);
      List<Hold> holds = new ArrayList<>(named.size() + 1);
      Instant earliest = null;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          requireExact("account", id, rs.getString(2));
          int kind = rs.getInt(1);
          switch (kind) {
            case 0 -> record = new AccountRecord(account, rs.getLong(n(1)), rs.getLong(n(2)), rs.getLong(n(3)),
                rs.getLong(n(4)), rs.getLong(n(5)), rs.getLong(n(6)), rs.getLong(n(7)), instant(rs, t(1)), plan(rs),
                nullableInstant(rs, t(2)), rs.getLong(u(11)), overage(rs.getString(u(13)), rs.getLong(u(12))));
            case 1 -> {
              IdempotencyKey asked = Objects.requireNonNull(key, "key");
              requireExact("idempotency key", asked.value(), rs.getString(3));
              earlier = new IdempotencyRecord(asked, text(rs, s(1)), text(rs, s(2)), text(rs, s(3)), instant(rs, t(1)));
            }
            case 2 -> lots.add(new Lot(new LotId(rs.getLong(n(1))), LotSource.valueOf(text(rs, s(1))), rs.getLong(n(2)),
                rs.getLong(n(3)), rs.getLong(n(4)), instant(rs, t(1)), nullableInstant(rs, t(2))));
            case 3 -> {
              requireNamed(named, text(rs, 3));
              holds.add(hold(rs, account));
            }
            case 4 -> {
              Hold h = hold(rs, account);
              // A named hold that is also overdue came with the named ones.
              if (!selection.named().contains(h.id())) {
                holds.add(h);
              }
            }
            case 5 -> earliest = instant(rs, t(1));
            default -> throw new SQLException("unexpected row kind " + kind + " reading account " + id);
          }
        }
      }
      return new KeyedRead(earlier, record == null ? null : new AccountSnapshot(record, lots, holds, earliest));
    }
  }

  /** A hold row of {@link #readAccount} (kinds 3 and 4). */
  private static Hold hold(ResultSet rs, AccountId account) throws SQLException {
    return new Hold(HoldId.of(text(rs, 3)), account, rs.getLong(n(1)), HoldState.valueOf(text(rs, s(1))),
        instant(rs, t(1)), instant(rs, t(2)), rs.getLong(n(2)), nullableInstant(rs, t(3)), Codec.metadata(text(rs, s(2))),
        Codec.allocations(text(rs, s(3))));
  }

  // The columns of Statements#read: kind, account, hold id or key, then n1..n14, t1..t6, s1..s5.
  private static int n(int i) {
    return 3 + i;
  }

  private static int t(int i) {
    return 17 + i;
  }

  private static int s(int i) {
    return 23 + i;
  }

  /** The account's own overage policy from its columns, null when it has none. */
  private static @Nullable OveragePolicy overage(@Nullable String mode, long maxDebt) throws SQLException {
    if (mode == null) {
      return null;
    }
    try {
      return new OveragePolicy(OveragePolicy.Mode.valueOf(mode), maxDebt);
    } catch (RuntimeException e) {
      throw new SQLException("unreadable overage policy " + mode + " with bound " + maxDebt, e);
    }
  }

  /** Binds debt, overage_mode and overage_max_debt. */
  private static int bindDebt(PreparedStatement ps, int p, AccountRecord account) throws SQLException {
    ps.setLong(p, account.debt());
    OveragePolicy overage = account.overage();
    if (overage == null) {
      ps.setNull(p + 1, Types.VARCHAR);
      ps.setLong(p + 2, 0);
    } else {
      ps.setString(p + 1, overage.mode().name());
      ps.setLong(p + 2, overage.maxDebt());
    }
    return p + 3;
  }

  // After s5: the automatic top-up's columns, u1..u5 numbers, u6..u8 instants, u9..u10 texts; then
  // the debt (u11), the overage policy's bound (u12) and mode (u13).
  private static int u(int i) {
    return 28 + i;
  }

  /** The plan of an account row of {@link #readAccount} (kind 0), null when it has none. */
  private static @Nullable PlanRecord plan(ResultSet rs) throws SQLException {
    String tier = rs.getString(s(1));
    if (tier == null) {
      return null;
    }
    return new PlanRecord(tier, text(rs, s(2)), rs.getLong(n(8)) == 1, nullableInstant(rs, t(3)), rs.getLong(n(9)),
        rs.getLong(n(10)), rs.getLong(n(11)), rs.getString(s(3)), nullableInstant(rs, t(4)), nullableInstant(rs, t(5)),
        rs.getLong(n(12)), rs.getLong(n(13)), Codec.charges(text(rs, s(4))), Codec.orders(text(rs, s(5))),
        Math.toIntExact(rs.getLong(n(14))), nullableInstant(rs, t(6)), topUp(rs));
  }

  /** The automatic top-up of an account row, null when it was never enabled (a NULL threshold). */
  private static PlanRecord.@Nullable TopUp topUp(ResultSet rs) throws SQLException {
    long threshold = rs.getLong(u(1));
    if (rs.wasNull()) {
      return null;
    }
    return new PlanRecord.TopUp(rs.getString(u(9)), threshold, rs.getLong(u(2)), rs.getLong(u(5)) == 1,
        nullableInstant(rs, u(6)), rs.getLong(u(3)), rs.getString(u(10)), nullableInstant(rs, u(7)),
        Math.toIntExact(rs.getLong(u(4))), nullableInstant(rs, u(8)));
  }

  /** Checks that a hold read by name is one of the names asked for, exactly (see the class doc). */
  private static void requireNamed(List<HoldId> named, String stored) {
    for (HoldId h : named) {
      if (h.value().equals(stored)) {
        return;
      }
    }
    throw idsNotExact("reading holds " + named + " returned the row of hold '" + stored + "'");
  }

  @Override
  public Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key) {
    return read("find idempotency record of account " + account, c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.findIdempotency)) {
        ps.setString(1, account.value());
        ps.setString(2, key.value());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          requireExact("account", account.value(), rs.getString(5));
          requireExact("idempotency key", key.value(), rs.getString(6));
          return Optional.of(new IdempotencyRecord(key, rs.getString(1), rs.getString(2), rs.getString(3),
              instant(rs, 4)));
        }
      }
    });
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    return read("find hold of account " + account, c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.findHold)) {
        ps.setString(1, account.value());
        ps.setString(2, hold.value());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          requireExact("account", account.value(), rs.getString(9));
          requireExact("hold", hold.value(), rs.getString(10));
          return Optional.of(new Hold(hold, account, rs.getLong(1), HoldState.valueOf(text(rs, 2)), instant(rs, 3),
              instant(rs, 4), rs.getLong(5), nullableInstant(rs, 6), Codec.metadata(text(rs, 7)),
              Codec.allocations(text(rs, 8))));
        }
      }
    });
  }

  @Override
  public List<LedgerEntry> readLedger(AccountId account, LedgerQuery query) {
    return read("read ledger of account " + account, ledgerPage(account, query));
  }

  /**
   * Reads the page from the {@linkplain #readReplica read replica} when the store has one (from the
   * primary while the replica fails), and otherwise as {@link #readLedger} does.
   *
   * @param account the account
   * @param query the page to read
   * @return the entries, possibly empty; from a replica, possibly without the newest ones
   * @throws StoreException when the read fails
   */
  @Override
  public List<LedgerEntry> readHistory(AccountId account, LedgerQuery query) {
    Access on = replica;
    if (on == null) {
      return readLedger(account, query);
    }
    SqlWork<List<LedgerEntry>> work = ledgerPage(account, query);
    List<LedgerEntry> page;
    try {
      page = on.read("read history of account " + account + " from the read replica",
          replicaDialectChecked ? work : c -> {
            DatabaseChecks.requireDialect(c, config);
            replicaDialectChecked = true;
            return work.run(c);
          });
    } catch (StoreException e) {
      StoreException typed = DatabaseChecks.typed(config, e);
      if (typed.code() != ErrorCode.STORE_FAILURE) {
        throw typed;  // a replica without the schema is set up wrong: say so, do not hide it
      }
      // Down, unreachable, or its pool exhausted: the primary has every entry the replica would.
      if (replicaFailing.compareAndSet(false, true)) {
        LOG.warn("the read replica failed ({}); history reads the primary until the replica answers again",
            e.getMessage());
      }
      return readLedger(account, query);
    }
    if (replicaFailing.compareAndSet(true, false)) {
      LOG.info("the read replica answers again; history reads it");
    }
    return page;
  }

  private SqlWork<List<LedgerEntry>> ledgerPage(AccountId account, LedgerQuery query) {
    Instant from = query.fromTime().orElse(null);
    Instant to = query.toTime().orElse(null);
    return c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.readLedger(from != null, to != null))) {
        int i = 1;
        ps.setString(i++, account.value());
        ps.setLong(i++, query.afterSequence());
        if (from != null) {
          ps.setObject(i++, Codec.boundAbove(from));
        }
        if (to != null) {
          ps.setObject(i++, Codec.boundAbove(to));
        }
        ps.setInt(i, query.limit());
        List<LedgerEntry> out = new ArrayList<>(Math.min(query.limit(), 64));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            requireExact("account", account.value(), rs.getString(10));
            String hold = rs.getString(6);
            String key = rs.getString(7);
            out.add(new LedgerEntry(account, rs.getLong(1), EntryType.valueOf(rs.getString(2)), rs.getLong(3),
                new LotId(rs.getLong(4)), LotSource.valueOf(rs.getString(5)), hold == null ? null : HoldId.of(hold),
                key == null ? null : IdempotencyKey.of(key), instant(rs, 8), Codec.metadata(text(rs, 9))));
          }
        }
        return out;
      }
    };
  }

  @Override
  public List<HoldRef> findHoldsPastDeadline(Instant now, int limit) {
    return due("find holds past their deadline", sql.holdsPastDeadline, true, now, limit,
        rs -> new HoldRef(AccountId.of(rs.getString(1)), HoldId.of(rs.getString(2)), instant(rs, 3)));
  }

  /**
   * Reads the lots with credits remaining whose expiry has come, in expiry order, a page of
   * {@code limit} lots at a time, until it has {@code limit} accounts or no lot is left: an account
   * with many expired lots costs a page more, never a scan of every expired lot.
   */
  @Override
  public List<AccountId> findAccountsWithExpiredLots(Instant now, int limit) {
    return read("find accounts with expired lots", c -> {
      Set<AccountId> out = new LinkedHashSet<>();
      OffsetDateTime at = Codec.boundBelow(now);
      OffsetDateTime lastExpiry = null;
      String lastAccount = null;
      long lastLot = 0;
      while (out.size() < limit) {
        int rows = 0;
        try (PreparedStatement ps = c.prepareStatement(lastAccount == null ? sql.lotsExpired : sql.lotsExpiredAfter)) {
          int p = 1;
          ps.setObject(p++, at);
          if (lastAccount != null) {
            ps.setObject(p++, lastExpiry);
            ps.setObject(p++, lastExpiry);
            ps.setString(p++, lastAccount);
            ps.setString(p++, lastAccount);
            ps.setLong(p++, lastLot);
          }
          ps.setInt(p, limit);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              rows++;
              lastAccount = rs.getString(1);
              lastExpiry = rs.getObject(2, OffsetDateTime.class);
              lastLot = rs.getLong(3);
              if (out.size() < limit) {
                out.add(AccountId.of(lastAccount));
              }
            }
          }
        }
        if (rows < limit) {
          break;
        }
      }
      return new ArrayList<>(out);
    });
  }

  @Override
  public List<AccountId> findAccountsWithPlanDue(Instant now, int limit) {
    return due("find accounts with a plan due", sql.accountsWithPlanDue, false, now, limit, rs -> AccountId.of(rs.getString(1)));
  }

  /**
   * The sweep's queries: what is due at {@code now} (what holds a time before it when
   * {@code strictlyBefore}, at or before it otherwise), at most {@code limit} rows, each mapped by
   * {@code row}.
   */
  private <T> List<T> due(String what, String query, boolean strictlyBefore, Instant now, int limit,
      RowMapper<T> row) {
    return read(what, c -> {
      try (PreparedStatement ps = c.prepareStatement(query)) {
        ps.setObject(1, strictlyBefore ? Codec.boundAbove(now) : Codec.boundBelow(now));
        ps.setInt(2, limit);
        List<T> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(row.map(rs));
          }
        }
        return out;
      }
    });
  }

  // ------------------------------------------------------------------------------------------------
  // Commit

  @Override
  public CommitOutcome commit(AccountChange change) {
    if (!wellFormed(change)) {
      return CommitOutcome.CONFLICT;
    }
    // The first commit probes the id columns, one kind of row at a time in a transaction it owns.
    boolean pipelined = idsCompareExactly && pipelined(change);
    try {
      // A batch writes the account's counters only: a change to the plan (rare) commits alone.
      if (group != null && pipelined && dialectChecked && !change.planChanged()) {
        return group.commit(change, alone -> commitAlone(alone, true));
      }
      return commitAlone(change, pipelined);
    } catch (StoreException e) {
      throw DatabaseChecks.typed(config, e);
    }
  }

  /** Commits the change in a transaction of its own (or the host's). */
  private CommitOutcome commitAlone(AccountChange change, boolean pipelined) {
    // Each way in checks the dialect first (a pipelined commit follows one that did).
    CommitWork work = new CommitWork() {
      @Override
      public CommitOutcome write(Connection c) throws SQLException {
        checkDialect(c);
        return JdbcCreditStore.this.write(c, change);
      }

      @Override
      public CommitOutcome writeOwned(Connection c) throws SQLException {
        return pipelined ? writePipelined(c, change) : write(c);
      }

      @Override
      public boolean writeAtOnce(Connection c) throws SQLException {
        checkDialect(c);
        return pipelined && JdbcCreditStore.this.writeAtOnce(c, change);
      }
    };
    return access.inTransaction("commit account " + change.account().id(), work);
  }

  /** At most this many rows of one kind go into one pipelined commit; bigger changes go one kind at a time. */
  private static final int PIPELINE_LIMIT = 200;
  /** Marks an {@link #atOnceText} in {@link #texts}, apart from the {@link #pipelineText} of the same shape. */
  private static final long AT_ONCE = 1L << 56;
  /**
   * The commit statements' texts by {@link Rows#shape}: a few shapes (a hold, a settle, a grant)
   * make nearly every commit, and building the text each time cost about as much CPU as binding its
   * parameters. At most {@link #TEXTS_KEPT} are kept; rarer shapes are built each time.
   */
  private final ConcurrentMap<Long, String> texts = new ConcurrentHashMap<>();
  private static final int TEXTS_KEPT = 256;

  /** The text of a commit statement of a shape, kept in {@link #texts} while there is room. */
  private String commitText(long shape, Supplier<String> build) {
    String text = texts.get(shape);
    if (text == null) {
      text = build.get();
      if (texts.size() < TEXTS_KEPT) {
        texts.putIfAbsent(shape, text);
      }
    }
    return text;
  }

  private boolean pipelined(AccountChange change) {
    return sql.pipelineCommits && change.expectedVersion() != 0 && change.newLots().size() <= PIPELINE_LIMIT
        && change.changedLots().size() <= PIPELINE_LIMIT && change.newHolds().size() <= PIPELINE_LIMIT
        && change.endedHolds().size() <= PIPELINE_LIMIT && change.entries().size() <= PIPELINE_LIMIT
        // An extension (rare) goes the plain way, which grows its hold with a guarded update.
        && change.changedHolds().isEmpty();
  }

  /**
   * On a connection in auto-commit mode, writes an existing account's change in one round trip,
   * {@code COMMIT} included: the statements of {@link #writePipelined} as one multi-statement
   * execute, which the driver sends with one {@code Sync}, so the server runs them as one implicit
   * transaction, committed at the {@code Sync} only if every statement succeeded. Each guarded
   * update (the account row, the changed lots, the ended holds) is wrapped so that matching fewer
   * rows than it should fails ({@code division_by_zero}) instead: any failure leaves nothing written
   * and is decided by the transactional path.
   *
   * @return true, committed
   * @throws SQLException when any statement failed; nothing was written
   */
  private boolean writeAtOnce(Connection c, AccountChange change) throws SQLException {
    Rows rows = new Rows(change);
    try (PreparedStatement ps = c.prepareStatement(commitText(rows.shape() | AT_ONCE, () -> atOnceText(rows)))) {
      bindPipeline(ps, rows, new int[8]);
      ps.execute();
    }
    return true;
  }

  /**
   * Writes an existing account's change as one multi-statement prepared statement, which the
   * PostgreSQL driver sends in one round trip instead of one per kind of row; the {@code COMMIT}
   * is the only other one. The statements are those of {@link #write}, one per kind of row, in the
   * order of {@link #pipelineText}: the guarded account update first (taking the row lock), then the
   * updates of existing rows and the inserts (multi-row statements). The store owns the transaction here, so when anything does not match (a
   * stale version, a hold no longer active, a key or sequence taken meanwhile) it rolls back and
   * reports exactly what the one-kind-at-a-time path reports.
   */
  private CommitOutcome writePipelined(Connection c, AccountChange change) throws SQLException {
    Rows rows = new Rows(change);
    int[] expected = new int[8];
    int statements;
    int[] actual;
    try (PreparedStatement ps = c.prepareStatement(commitText(rows.shape(), () -> pipelineText(rows)))) {
      statements = bindPipeline(ps, rows, expected);
      actual = new int[statements];
      try {
        ps.execute();
        for (int i = 0; i < statements; i++) {
          if (i > 0) {
            ps.getMoreResults();
          }
          actual[i] = ps.getUpdateCount();
        }
      } catch (SQLException e) {
        if (isConflict(e)) {
          throw e;
        }
        return retrySequentially(c, change);
      }
    }
    if (!java.util.Arrays.equals(actual, 0, statements, expected, 0, statements)) {
      return retrySequentially(c, change);
    }
    return CommitOutcome.COMMITTED;
  }

  /**
   * A change's rows, those updated in a fixed order (by id) so concurrent writers lock them alike.
   * A changed lot with nothing left is deleted rather than updated: the lots table keeps live lots
   * only, so no index needs a condition on what a lot holds, and updating a lot (every hold and
   * settle does) rewrites no index entry.
   */
  record Rows(AccountChange change, List<Lot> changedLots, List<Lot> spentLots, List<Hold> endedHolds) {
    Rows(AccountChange change) {
      this(change, sorted(live(change.changedLots(), true), Comparator.comparing(Lot::id)),
          sorted(live(change.changedLots(), false), Comparator.comparing(Lot::id)),
          sorted(change.endedHolds(), Comparator.comparing(h -> h.id().value())));
    }

    /**
     * What a commit's statement text depends on: how many rows of each kind it writes (each at most
     * {@link #PIPELINE_LIMIT}, so 8 bits each), whether it has an idempotency record and whether
     * it writes the plan.
     */
    long shape() {
      return change.newLots().size() | (long) changedLots.size() << 8 | (long) spentLots.size() << 16
          | (long) change.newHolds().size() << 24 | (long) endedHolds.size() << 32
          | (long) change.entries().size() << 40 | (change.idempotency() == null ? 0L : 1L << 48)
          | (change.planChanged() ? 1L << 49 : 0L);
    }

    private static List<Lot> live(List<Lot> lots, boolean live) {
      List<Lot> out = new ArrayList<>(lots.size());
      for (Lot lot : lots) {
        if (lot.isLive() == live) {
          out.add(lot);
        }
      }
      return out;
    }
  }

  /**
   * The text of a pipelined commit: the guarded account update, then one statement per kind of row
   * present, in the order of {@link #atOnceText} (changed lots, spent lots, ended holds, then new
   * lots, new holds, ledger rows and the idempotency record), so {@link #bindPipeline} binds both.
   */
  private String pipelineText(Rows rows) {
    AccountChange change = rows.change();
    StringBuilder text = new StringBuilder(1024);
    text.append(sql.updateAccount(change.planChanged()));
    if (!rows.changedLots().isEmpty()) {
      text.append(";\n").append(sql.updateLots(rows.changedLots().size()));
    }
    if (!rows.spentLots().isEmpty()) {
      text.append(";\n").append(sql.deleteLots(rows.spentLots().size()));
    }
    if (!rows.endedHolds().isEmpty()) {
      text.append(";\n").append(sql.endHolds(rows.endedHolds().size()));
    }
    if (!change.newLots().isEmpty()) {
      text.append(";\n").append(rowsOf(sql.lotValues, change.newLots().size(), sql.lotRow));
    }
    if (!change.newHolds().isEmpty()) {
      text.append(";\n").append(rowsOf(sql.holdValues, change.newHolds().size(), sql.holdRow));
    }
    if (!change.entries().isEmpty()) {
      text.append(";\n").append(rowsOf(sql.ledgerValues, change.entries().size(), sql.ledgerRow));
    }
    if (change.idempotency() != null) {
      text.append(";\n").append(sql.insertIdempotency);
    }
    return text.toString();
  }


  /**
   * The text of a commit made at once on an auto-commit connection, sent as one multi-statement
   * execute (see {@link #writeAtOnce}) of at most two statements, bound by {@link #bindPipeline}:
   * <ol>
   *   <li>the account's guarded update, which takes the account's row lock before any other row of
   *       it is written: {@code WITH a AS (UPDATE ... RETURNING 1) SELECT 1 / COUNT(*) FROM a};
   *   <li>everything else as the parts of one {@code WITH}: the updates of rows that exist (changed
   *       lots, spent lots, ended holds), each {@code RETURNING 1}, and the inserts (new lots, new
   *       holds, ledger rows, the idempotency record); the statement divides by zero unless each
   *       update matched every row it should (an insert writes every row or fails). Without such
   *       updates the last insert is the statement itself.
   * </ol>
   * Any failure undoes the whole commit. Each part runs once with no part waiting on another through
   * a sub-plan (they touch different rows, all under the account's lock), and two statements instead
   * of one per kind of row save the server each statement's own start and end (measured in
   * {@code BENCHMARKS.md}).
   */
  private String atOnceText(Rows rows) {
    AccountChange change = rows.change();
    StringBuilder text = new StringBuilder(2048);
    text.append("WITH a AS (").append(sql.updateAccount(change.planChanged()))
        .append(" RETURNING 1) SELECT 1 / COUNT(*) FROM a");
    List<String> guarded = new ArrayList<>(3);
    StringBuilder counts = new StringBuilder();
    if (!rows.changedLots().isEmpty()) {
      guarded.add("cl AS (" + sql.updateLots(rows.changedLots().size()) + " RETURNING 1)");
      counts.append(" AND (SELECT COUNT(*) FROM cl) = ").append(rows.changedLots().size());
    }
    if (!rows.spentLots().isEmpty()) {
      guarded.add("sl AS (" + sql.deleteLots(rows.spentLots().size()) + " RETURNING 1)");
      counts.append(" AND (SELECT COUNT(*) FROM sl) = ").append(rows.spentLots().size());
    }
    if (!rows.endedHolds().isEmpty()) {
      guarded.add("eh AS (" + sql.endHolds(rows.endedHolds().size()) + " RETURNING 1)");
      counts.append(" AND (SELECT COUNT(*) FROM eh) = ").append(rows.endedHolds().size());
    }
    List<String> inserts = new ArrayList<>(4);
    if (!change.newLots().isEmpty()) {
      inserts.add(rowsOf(sql.lotValues, change.newLots().size(), sql.lotRow));
    }
    if (!change.newHolds().isEmpty()) {
      inserts.add(rowsOf(sql.holdValues, change.newHolds().size(), sql.holdRow));
    }
    if (!change.entries().isEmpty()) {
      inserts.add(rowsOf(sql.ledgerValues, change.entries().size(), sql.ledgerRow));
    }
    if (change.idempotency() != null) {
      inserts.add(sql.insertIdempotency);
    }
    if (guarded.isEmpty() && inserts.isEmpty()) {
      return text.toString();
    }
    // The rest is one statement: every part but its last is a part of its WITH, run to the end
    // whether read or not. With guarded parts, the last is the division checking their counts;
    // without, the last insert.
    List<String> parts = new ArrayList<>(guarded);
    for (int i = 0; i < inserts.size(); i++) {
      parts.add("i" + i + " AS (" + inserts.get(i) + ")");
    }
    String last = guarded.isEmpty() ? inserts.get(inserts.size() - 1)
        : "SELECT 1 / CASE WHEN" + counts.substring(" AND".length()) + " THEN 1 ELSE 0 END";
    if (guarded.isEmpty()) {
      parts.remove(parts.size() - 1);
    }
    text.append(";\n");
    if (!parts.isEmpty()) {
      text.append("WITH ").append(String.join(", ", parts)).append(' ');
    }
    text.append(last);
    return text.toString();
  }

  /** An insert of {@code rows} rows: the statement's head, then the rows. */
  private static String rowsOf(String head, int rows, String row) {
    StringBuilder sb = new StringBuilder(head);
    Statements.values(sb, rows, row);
    return sb.toString();
  }

  /**
   * Binds {@link #pipelineText} or {@link #atOnceText} (the same parameters in the same order) and
   * fills {@code expected} with each of {@link #pipelineText}'s statements' row count.
   *
   * @return the number of statements
   */
  private static int bindPipeline(PreparedStatement ps, Rows rows, int[] expected) throws SQLException {
    AccountChange change = rows.change();
    String id = change.account().id().value();
    int p = bindUpdate(ps, change);
    int s = 0;
    expected[s++] = 1;
    if (!rows.changedLots().isEmpty()) {
      for (Lot lot : rows.changedLots()) {
        p = bindLot(ps, p, lot);
      }
      ps.setString(p++, id);
      expected[s++] = rows.changedLots().size();
    }
    if (!rows.spentLots().isEmpty()) {
      ps.setString(p++, id);
      for (Lot lot : rows.spentLots()) {
        ps.setLong(p++, lot.id().value());
      }
      expected[s++] = rows.spentLots().size();
    }
    if (!rows.endedHolds().isEmpty()) {
      for (Hold h : rows.endedHolds()) {
        p = bindEndedHold(ps, p, h);
      }
      ps.setString(p++, id);
      expected[s++] = rows.endedHolds().size();
    }
    if (!change.newLots().isEmpty()) {
      for (Lot lot : change.newLots()) {
        p = bindNewLot(ps, p, id, lot);
      }
      expected[s++] = change.newLots().size();
    }
    if (!change.newHolds().isEmpty()) {
      for (Hold h : change.newHolds()) {
        p = bindNewHold(ps, p, id, h);
      }
      expected[s++] = change.newHolds().size();
    }
    if (!change.entries().isEmpty()) {
      for (LedgerEntry e : change.entries()) {
        p = bindEntry(ps, p, id, e);
      }
      expected[s++] = change.entries().size();
    }
    IdempotencyRecord record = change.idempotency();
    if (record != null) {
      bindIdempotency(ps, p, id, record);
      expected[s++] = 1;
    }
    return s;
  }


  /**
   * The pipelined statements did not all do what they should (a stale version, a hold no longer
   * active, a key taken, a constraint): they ran past the point where {@link #write} would have
   * stopped, so their errors do not tell which outcome is right. Roll them back and let the
   * one-kind-at-a-time path decide, in a new transaction, exactly as it always does.
   */
  private CommitOutcome retrySequentially(Connection c, AccountChange change) throws SQLException {
    c.rollback();
    return write(c, change);
  }

  /**
   * Checks what can be checked without the database, the way the in-memory store does: ledger
   * entries belong to the account and are consecutive.
   *
   * @return false when the change must be reported as a conflict
   * @throws IllegalArgumentException when the change is malformed
   */
  private static boolean wellFormed(AccountChange change) {
    AccountId id = change.account().id();
    long expected = change.entries().isEmpty() ? -1 : change.entries().get(0).sequence();
    if (change.expectedVersion() == 0 && expected != -1 && expected != 1) {
      throw new IllegalArgumentException("ledger entries must continue the account's sequence; got " + expected);
    }
    for (LedgerEntry e : change.entries()) {
      if (e.sequence() != expected++ || !e.account().equals(id)) {
        throw new IllegalArgumentException("ledger entries must continue the account's sequence; got " + e.sequence());
      }
    }
    // A new account has no hold to end or grow.
    return change.expectedVersion() != 0 || (change.endedHolds().isEmpty() && change.changedHolds().isEmpty());
  }

  /**
   * Writes the change in the current transaction, one kind of row at a time, and decides its
   * outcome; the caller commits or rolls back.
   */
  private CommitOutcome write(Connection c, AccountChange change) throws SQLException {
    if (!idsCompareExactly) {
      probeIdComparison(c);
      idsCompareExactly = true;
    }
    AccountRecord account = change.account();
    String id = account.id().value();
    Rows rows = new Rows(change);
    if (change.expectedVersion() == 0) {
      try (PreparedStatement ps = c.prepareStatement(sql.insertAccount)) {
        ps.setString(1, id);
        ps.setLong(2, account.version());
        ps.setLong(3, account.lastSequence());
        ps.setLong(4, account.granted());
        ps.setLong(5, account.settled());
        ps.setLong(6, account.expired());
        ps.setLong(7, account.debited());
        ps.setLong(8, account.activeHolds());
        ps.setObject(9, Codec.timestamp(account.createdAt()));
        setNullableTimestamp(ps, 10, account.planDueAt());
        bindDebt(ps, bindPlan(ps, 11, account.plan()), account);
        ps.executeUpdate();
      } catch (SQLException e) {
        if (UNIQUE_VIOLATION.equals(sqlState(e))) {
          return CommitOutcome.CONFLICT;
        }
        throw e;
      }
    } else {
      try (PreparedStatement ps = c.prepareStatement(sql.updateAccount(change.planChanged()))) {
        bindUpdate(ps, change);
        if (ps.executeUpdate() != 1) {
          return staleOrMalformed(c, change);
        }
      }
    }
    // From here on the account row is locked (or new): only this transaction writes its rows.
    if (!change.newLots().isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(sql.insertLot)) {
        for (Lot lot : change.newLots()) {
          bindNewLot(ps, 1, id, lot);
          ps.addBatch();
        }
        ps.executeBatch();
      } catch (SQLException e) {
        if (UNIQUE_VIOLATION.equals(sqlState(e))) {
          throw new IllegalArgumentException("a new lot's id is already used by a lot of account " + id, e);
        }
        throw e;
      }
    }
    if (!rows.changedLots().isEmpty()) {
      int[] updated;
      try (PreparedStatement ps = c.prepareStatement(sql.updateLot)) {
        for (Lot lot : rows.changedLots()) {
          ps.setString(bindLot(ps, 1, lot), id);
          ps.addBatch();
        }
        updated = ps.executeBatch();
      }
      for (int i = 0; i < updated.length; i++) {
        if (updated[i] != 1) {
          throw new IllegalArgumentException("lot " + rows.changedLots().get(i).id()
              + " is not a live lot of account " + id);
        }
      }
    }
    if (!rows.spentLots().isEmpty()) {
      int[] deleted;
      try (PreparedStatement ps = c.prepareStatement(sql.deleteLot)) {
        for (Lot lot : rows.spentLots()) {
          ps.setString(1, id);
          ps.setLong(2, lot.id().value());
          ps.addBatch();
        }
        deleted = ps.executeBatch();
      }
      for (int i = 0; i < deleted.length; i++) {
        if (deleted[i] != 1) {
          throw new IllegalArgumentException("lot " + rows.spentLots().get(i).id()
              + " is not a live lot of account " + id);
        }
      }
    }
    if (!change.newHolds().isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(sql.insertHold)) {
        for (Hold h : change.newHolds()) {
          bindNewHold(ps, 1, id, h);
          ps.addBatch();
        }
        ps.executeBatch();
      } catch (SQLException e) {
        if (UNIQUE_VIOLATION.equals(sqlState(e))) {
          throw new IllegalArgumentException("a new hold's id is already used by a hold of account " + id, e);
        }
        throw e;
      }
    }
    if (!rows.endedHolds().isEmpty()) {
      int[] updated;
      try (PreparedStatement ps = c.prepareStatement(sql.endHold)) {
        for (Hold h : rows.endedHolds()) {
          ps.setString(bindEndedHold(ps, 1, h), id);
          ps.addBatch();
        }
        updated = ps.executeBatch();
      }
      for (int n : updated) {
        if (n != 1) {
          // Not active any more (a concurrent call ended it first) or never this account's.
          return CommitOutcome.CONFLICT;
        }
      }
    }
    for (Hold h : change.changedHolds()) {
      try (PreparedStatement ps = c.prepareStatement(sql.growHold)) {
        ps.setLong(1, h.amount());
        ps.setObject(2, Codec.timestamp(h.deadline()));
        ps.setString(3, Codec.allocationsJson(h.allocations()));
        ps.setString(4, h.id().value());
        ps.setString(5, id);
        if (ps.executeUpdate() != 1) {
          // Not active any more, or never this account's.
          return CommitOutcome.CONFLICT;
        }
      }
    }
    if (!change.entries().isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(sql.insertLedger)) {
        for (LedgerEntry e : change.entries()) {
          bindEntry(ps, 1, id, e);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    IdempotencyRecord record = change.idempotency();
    if (record != null) {
      try (PreparedStatement ps = c.prepareStatement(sql.insertIdempotency)) {
        bindIdempotency(ps, 1, id, record);
        ps.executeUpdate();
      } catch (SQLException e) {
        if (UNIQUE_VIOLATION.equals(sqlState(e))) {
          return CommitOutcome.CONFLICT;
        }
        throw e;
      }
    }
    return CommitOutcome.COMMITTED;
  }

  /** The last ledger sequence the change continues from. */
  static long previousSequence(AccountChange change) {
    return change.entries().isEmpty() ? change.account().lastSequence() : change.entries().get(0).sequence() - 1;
  }

  /**
   * Binds the guarded account update of {@link Statements#updateAccount(boolean)}: the plan's
   * columns only when the change may touch the plan.
   *
   * @return the next parameter index
   */
  private static int bindUpdate(PreparedStatement ps, AccountChange change) throws SQLException {
    AccountRecord account = change.account();
    ps.setLong(1, account.version());
    ps.setLong(2, account.lastSequence());
    ps.setLong(3, account.granted());
    ps.setLong(4, account.settled());
    ps.setLong(5, account.expired());
    ps.setLong(6, account.debited());
    ps.setLong(7, account.activeHolds());
    setNullableTimestamp(ps, 8, account.planDueAt());
    bindDebt(ps, 9, account);
    int p = change.planChanged() ? bindPlan(ps, 12, account.plan()) : 12;
    ps.setString(p, account.id().value());
    ps.setLong(p + 1, change.expectedVersion());
    ps.setLong(p + 2, previousSequence(change));
    return p + 3;
  }

  /**
   * Binds the plan's columns ({@link Statements#PLAN_COLUMNS}), all NULL when there is no plan.
   *
   * @return the next parameter index
   */
  private static int bindPlan(PreparedStatement ps, int p, @Nullable PlanRecord plan) throws SQLException {
    if (plan == null) {
      int[] types = {Types.VARCHAR, Types.VARCHAR, Types.BOOLEAN, Types.TIMESTAMP_WITH_TIMEZONE, Types.BIGINT,
          Types.BIGINT, Types.BIGINT, Types.VARCHAR, Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE,
          Types.BIGINT, Types.BIGINT, Types.VARCHAR, Types.VARCHAR, Types.INTEGER, Types.TIMESTAMP_WITH_TIMEZONE,
          Types.VARCHAR, Types.BIGINT, Types.BIGINT, Types.BOOLEAN, Types.TIMESTAMP_WITH_TIMEZONE, Types.BIGINT,
          Types.VARCHAR, Types.TIMESTAMP_WITH_TIMEZONE, Types.INTEGER, Types.TIMESTAMP_WITH_TIMEZONE};
      for (int i = 0; i < types.length; i++) {
        ps.setNull(p + i, types[i]);
      }
      return p + types.length;
    }
    ps.setString(p, plan.tier());
    ps.setString(p + 1, plan.status());
    ps.setBoolean(p + 2, plan.signupGranted());
    setNullableTimestamp(ps, p + 3, plan.anchor());
    ps.setLong(p + 4, plan.paidCycle());
    ps.setLong(p + 5, plan.cycleStartSequence());
    ps.setLong(p + 6, plan.allowanceTotal());
    setNullableString(ps, p + 7, plan.pendingTier());
    setNullableTimestamp(ps, p + 8, plan.pendingAt());
    setNullableTimestamp(ps, p + 9, plan.cancelAt());
    ps.setLong(p + 10, plan.subscription());
    ps.setLong(p + 11, plan.requests());
    ps.setString(p + 12, Codec.chargesJson(plan.charges()));
    ps.setString(p + 13, Codec.ordersJson(plan.orders()));
    ps.setInt(p + 14, plan.renewalFailures());
    setNullableTimestamp(ps, p + 15, plan.renewalRetryAt());
    return bindTopUp(ps, p + 16, plan.topUp());
  }

  /** Binds the automatic top-up's columns, all NULL when it was never enabled; returns the next index. */
  private static int bindTopUp(PreparedStatement ps, int p, PlanRecord.@Nullable TopUp topUp) throws SQLException {
    if (topUp == null) {
      int[] types = {Types.VARCHAR, Types.BIGINT, Types.BIGINT, Types.BOOLEAN, Types.TIMESTAMP_WITH_TIMEZONE,
          Types.BIGINT, Types.VARCHAR, Types.TIMESTAMP_WITH_TIMEZONE, Types.INTEGER, Types.TIMESTAMP_WITH_TIMEZONE};
      for (int i = 0; i < types.length; i++) {
        ps.setNull(p + i, types[i]);
      }
      return p + types.length;
    }
    setNullableString(ps, p, topUp.packId());
    ps.setLong(p + 1, topUp.threshold());
    ps.setLong(p + 2, topUp.capMinor());
    ps.setBoolean(p + 3, topUp.armed());
    setNullableTimestamp(ps, p + 4, topUp.month());
    ps.setLong(p + 5, topUp.spentMinor());
    setNullableString(ps, p + 6, topUp.reference());
    setNullableTimestamp(ps, p + 7, topUp.sendAt());
    ps.setInt(p + 8, topUp.attempts());
    setNullableTimestamp(ps, p + 9, topUp.skippedAt());
    return p + 10;
  }

  /** Binds a lot to insert: account, lot_id, source, granted, remaining, reserved, granted_at, expires_at. */
  private static int bindNewLot(PreparedStatement ps, int p, String account, Lot lot) throws SQLException {
    ps.setString(p, account);
    ps.setLong(p + 1, lot.id().value());
    ps.setString(p + 2, lot.source().name());
    ps.setLong(p + 3, lot.granted());
    ps.setLong(p + 4, lot.remaining());
    ps.setLong(p + 5, lot.reserved());
    ps.setObject(p + 6, Codec.timestamp(lot.grantedAt()));
    setNullableTimestamp(ps, p + 7, lot.expiresAt());
    return p + 8;
  }

  /** Binds a changed lot as {@link Statements#updateLot} takes it, the account excepted. */
  private static int bindLot(PreparedStatement ps, int p, Lot lot) throws SQLException {
    ps.setLong(p, lot.remaining());
    ps.setLong(p + 1, lot.reserved());
    setNullableTimestamp(ps, p + 2, lot.expiresAt());
    ps.setLong(p + 3, lot.id().value());
    return p + 4;
  }

  /**
   * Binds a hold to insert: account, hold_id, amount, state, created_at, deadline, settled,
   * ended_at, metadata, allocations.
   */
  private static int bindNewHold(PreparedStatement ps, int p, String account, Hold h) throws SQLException {
    ps.setString(p, account);
    ps.setString(p + 1, h.id().value());
    ps.setLong(p + 2, h.amount());
    ps.setString(p + 3, h.state().name());
    ps.setObject(p + 4, Codec.timestamp(h.createdAt()));
    ps.setObject(p + 5, Codec.timestamp(h.deadline()));
    ps.setLong(p + 6, h.settled());
    setNullableTimestamp(ps, p + 7, h.endedAt());
    ps.setString(p + 8, Codec.metadataJson(h.metadata()));
    ps.setString(p + 9, Codec.allocationsJson(h.allocations()));
    return p + 10;
  }

  /** Binds an ended hold as {@link Statements#endHold} takes it, the account excepted. */
  private static int bindEndedHold(PreparedStatement ps, int p, Hold h) throws SQLException {
    ps.setString(p, h.state().name());
    ps.setLong(p + 1, h.settled());
    setNullableTimestamp(ps, p + 2, h.endedAt());
    ps.setString(p + 3, h.id().value());
    return p + 4;
  }

  private static int bindEntry(PreparedStatement ps, int p, String account, LedgerEntry e) throws SQLException {
    ps.setString(p, account);
    ps.setLong(p + 1, e.sequence());
    ps.setString(p + 2, e.type().name());
    ps.setLong(p + 3, e.amount());
    ps.setLong(p + 4, e.lot().value());
    ps.setString(p + 5, e.source().name());
    setNullableString(ps, p + 6, e.hold() == null ? null : e.hold().value());
    setNullableString(ps, p + 7, e.key() == null ? null : e.key().value());
    ps.setObject(p + 8, Codec.timestamp(e.at()));
    ps.setString(p + 9, Codec.metadataJson(e.metadata()));
    // The generation's kind and model, as queryable columns beside the metadata they come from.
    setNullableString(ps, p + 10, e.kind());
    setNullableString(ps, p + 11, e.model());
    return p + 12;
  }

  private static void bindIdempotency(PreparedStatement ps, int p, String account, IdempotencyRecord record)
      throws SQLException {
    ps.setString(p, account);
    ps.setString(p + 1, record.key().value());
    ps.setString(p + 2, record.operation());
    ps.setString(p + 3, record.fingerprint());
    ps.setString(p + 4, record.result());
    ps.setObject(p + 5, Codec.timestamp(record.at()));
  }

  /**
   * The guarded account update matched no row. Either the version moved or the account is gone (a
   * conflict); or it did not, and the change is malformed: its ledger entries do not continue the
   * stored ledger.
   */
  private CommitOutcome staleOrMalformed(Connection c, AccountChange change) throws SQLException {
    String id = change.account().id().value();
    try (PreparedStatement ps = c.prepareStatement(sql.selectAccountState)) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return CommitOutcome.CONFLICT;
        }
        requireExact("account", id, rs.getString(3));
        if (rs.getLong(1) != change.expectedVersion()) {
          return CommitOutcome.CONFLICT;
        }
        if (rs.getLong(2) != previousSequence(change)) {
          throw new IllegalArgumentException("ledger entries must continue the account's sequence; got "
              + (change.entries().isEmpty() ? "none" : change.entries().get(0).sequence()));
        }
      }
    }
    return CommitOutcome.CONFLICT;
  }

  /**
   * Checks that every id column compares exactly, in the caller's transaction: inserts one row per
   * table under an account id, a hold id and a key with capital letters, asks for each by the same id
   * in lower case, and deletes the rows again. Random ids keep concurrent probes apart.
   *
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when a column found
   *     a probe row under the other case; the caller rolls back
   */
  private void probeIdComparison(Connection c) throws SQLException {
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    String account = "credits-probe-Case-" + suffix;
    String hold = "h_Probe" + suffix;
    String key = "Probe-" + suffix;
    OffsetDateTime epoch = Codec.timestamp(Instant.EPOCH);
    try (PreparedStatement ps = c.prepareStatement(sql.insertAccount)) {
      ps.setString(1, account);
      ps.setLong(2, 1);
      for (int i = 3; i <= 8; i++) {
        ps.setLong(i, 0);
      }
      ps.setObject(9, epoch);
      ps.setNull(10, Types.TIMESTAMP_WITH_TIMEZONE);
      int p = bindPlan(ps, 11, null);
      ps.setLong(p, 0);
      ps.setNull(p + 1, Types.VARCHAR);
      ps.setLong(p + 2, 0);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(sql.insertLot)) {
      bindNewLot(ps, 1, account, new Lot(new LotId(1), LotSource.PACK, 0, 0, 0, Instant.EPOCH, null));
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(sql.insertHold)) {
      bindNewHold(ps, 1, account, new Hold(HoldId.of(hold), AccountId.of(account), 0, HoldState.RELEASED,
          Instant.EPOCH, Instant.EPOCH, 0, Instant.EPOCH, java.util.Map.of(), List.of()));
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(sql.insertLedger)) {
      ps.setString(1, account);
      ps.setLong(2, 1);
      ps.setString(3, EntryType.GRANT.name());
      ps.setLong(4, 1);
      ps.setLong(5, 1);
      ps.setString(6, LotSource.PACK.name());
      ps.setNull(7, Types.VARCHAR);
      ps.setNull(8, Types.VARCHAR);
      ps.setObject(9, epoch);
      ps.setString(10, "{}");
      ps.setNull(11, Types.VARCHAR);
      ps.setNull(12, Types.VARCHAR);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(sql.insertIdempotency)) {
      ps.setString(1, account);
      ps.setString(2, key);
      ps.setString(3, "probe");
      ps.setString(4, "");
      ps.setString(5, "");
      ps.setObject(6, epoch);
      ps.executeUpdate();
    }
    String otherCase = account.toLowerCase(Locale.ROOT);
    List<String> folding = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.probeIdComparison)) {
      for (int i = 1; i <= 5; i++) {
        ps.setString(i, otherCase);
      }
      ps.setString(6, account);
      ps.setString(7, hold.toLowerCase(Locale.ROOT));
      ps.setString(8, account);
      ps.setString(9, key.toLowerCase(Locale.ROOT));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          folding.add(rs.getString(1));
        }
      }
    }
    for (String delete : List.of(sql.deleteProbeAccount, sql.deleteProbeLots, sql.deleteProbeHolds, sql.deleteProbeLedger,
        sql.deleteProbeIdempotency)) {
      try (PreparedStatement ps = c.prepareStatement(delete)) {
        ps.setString(1, account);
        ps.executeUpdate();
      }
    }
    if (!folding.isEmpty()) {
      throw idsNotExact("a lookup of '" + otherCase + "' found the probe row '" + account + "' in "
          + String.join(", ", folding));
    }
  }

  /**
   * Checks that a row read by id holds exactly the id asked for: defense in depth against a database
   * whose id columns fold case or accents (see the class doc).
   *
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when it does not
   */
  private static void requireExact(String what, String asked, @Nullable String stored) {
    if (!asked.equals(stored)) {
      throw idsNotExact("reading " + what + " '" + asked + "' returned the row of " + what + " '" + stored + "'");
    }
  }

  /** The refusal of a database whose id columns do not compare exactly, with what showed it. */
  private static InvalidRequestException idsNotExact(String evidence) {
    return new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "the credits tables do not compare ids"
        + " exactly (" + evidence + "), so ids that differ only in case, such as 'alice' and 'Alice', would name"
        + " one account. Give the id columns a deterministic collation that compares exactly: on PostgreSQL no"
        + " nondeterministic (ICU) collation and no citext; on H2 no IGNORECASE=TRUE in the URL and no"
        + " VARCHAR_IGNORECASE columns. See the credits-jdbc-adapter README, 'Ids compare exactly'");
  }

  // ------------------------------------------------------------------------------------------------
  // Plumbing

  private <T> T read(String what, SqlWork<T> work) {
    try {
      return access.read(what, dialectChecked ? work : c -> {
        checkDialect(c);
        return work.run(c);
      });
    } catch (StoreException e) {
      throw DatabaseChecks.typed(config, e);
    }
  }

  private static <T> List<T> sorted(List<T> items, Comparator<T> order) {
    if (items.size() < 2) {
      return items;
    }
    List<T> copy = new ArrayList<>(items);
    copy.sort(order);
    return copy;
  }

  private static void setNullableString(PreparedStatement ps, int index, @Nullable String value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, value);
    }
  }

  private static String text(ResultSet rs, int column) throws SQLException {
    String value = rs.getString(column);
    if (value == null) {
      throw new SQLException("unexpected NULL text in column " + column, "22004");
    }
    return value;
  }

  private static void setNullableTimestamp(PreparedStatement ps, int index, @Nullable Instant value)
      throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, Codec.timestamp(value));
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Instant value = nullableInstant(rs, column);
    if (value == null) {
      throw new SQLException("unexpected NULL instant in column " + column, "22004");
    }
    return value;
  }

  private static @Nullable Instant nullableInstant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  /**
   * Returns the SQL state of the failure: the exception's own, else the first of its next exceptions
   * (drivers put a batch's real failure there). Never a cause's: a pool's timeout carries the last
   * error it saw as its cause, and that state belongs to an older failure.
   */
  static @Nullable String sqlState(SQLException e) {
    for (SQLException n = e; n != null; n = n.getNextException()) {
      if (n.getSQLState() != null) {
        return n.getSQLState();
      }
    }
    return null;
  }

  static boolean isConflict(SQLException e) {
    String state = sqlState(e);
    return state != null && CONFLICT_STATES.contains(state);
  }

  /**
   * The failure of a read, or of a write before its commit was sent: nothing was applied (a
   * transaction the store did not commit is rolled back by the server, even when the connection
   * broke).
   */
  static StoreException failure(String what, SQLException e) {
    return failure(what, e, StoreException.Outcome.NOT_APPLIED);
  }

  static StoreException failure(String what, SQLException e, StoreException.Outcome outcome) {
    return new StoreException(what + " failed: " + e.getMessage(), sqlState(e), outcome, e);
  }

  /**
   * Tells whether a statement's answer may have been lost rather than refused: the connection broke
   * (closed, SQL state class {@code 08}, the backend terminated: {@code 57P0x}) or the failure has no
   * state to say what happened.
   */
  static boolean answerLost(Connection c, SQLException e) {
    String state = sqlState(e);
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

  static void rollback(Connection c, Throwable failure) {
    try {
      c.rollback();
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Maps the current row of a result set. */
  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Work on a connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  /** A commit's writes, in the ways the connection allows. */
  interface CommitWork {
    /** Writes in the current transaction, one kind of row at a time. */
    CommitOutcome write(Connection c) throws SQLException;

    /** Writes in a transaction the store owns and may roll back whole. */
    CommitOutcome writeOwned(Connection c) throws SQLException;

    /**
     * On a connection in auto-commit mode, writes and commits at once when the change allows it.
     *
     * @return true when committed, false when not attempted
     * @throws SQLException when it failed, having written nothing
     */
    boolean writeAtOnce(Connection c) throws SQLException;
  }

  /**
   * Runs the action at once for a store that runs its own transactions; inside the host's
   * transaction, after the host commits, and never when it rolls back (see
   * {@link ConnectionProvider#afterCommit}).
   *
   * @param action what to run once this thread's writes are durable
   * @throws StoreException when the host's transaction cannot be reached
   * @throws IllegalStateException when the connection provider cannot tell when the host commits
   */
  @Override
  public void whenDurable(Runnable action) {
    access.whenDurable(action);
  }

  /** How the store gets connections and transactions. */
  private interface Access {
    <T> T read(String what, SqlWork<T> work);

    CommitOutcome inTransaction(String what, CommitWork work);

    void whenDurable(Runnable action);
  }

  /** Standalone: a connection per call from the host's pool; the store runs the transaction. */
  private static final class PooledAccess implements Access {
    private final DataSource dataSource;

    PooledAccess(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    @Override
    public <T> T read(String what, SqlWork<T> work) {
      try (Connection c = dataSource.getConnection()) {
        if (c.getAutoCommit()) {
          return work.run(c);
        }
        // A pool handing out connections with auto-commit off: end the read's transaction here so
        // no snapshot or lock outlives the call.
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          rollback(c, e);
          throw e;
        }
      } catch (SQLException e) {
        throw failure(what, e);
      }
    }

    @Override
    public CommitOutcome inTransaction(String what, CommitWork work) {
      CommitOutcome outcome = null;
      try (Connection c = dataSource.getConnection()) {
        outcome = ownTransaction(c, what, work);
      } catch (SQLException e) {
        if (outcome == null) {
          throw failure(what, e);
        }
        // Only giving the connection back failed: the outcome stands; the pool discards the connection.
      }
      return outcome;
    }

    /** Every commit here is the store's own and durable when it returns. */
    @Override
    public void whenDurable(Runnable action) {
      action.run();
    }
  }

  /**
   * Inside the host's transaction: the provider's connection for each read and commit, given back
   * after it; a savepoint per commit; what waits for durability left to the provider.
   */
  private static final class HostAccess implements Access {
    private final ConnectionProvider provider;

    HostAccess(ConnectionProvider provider) {
      this.provider = provider;
    }

    @Override
    public <T> T read(String what, SqlWork<T> work) {
      Connection c = connection(what);
      T result;
      try {
        result = work.run(c);
      } catch (SQLException e) {
        throw release(c, failure(what, e));
      } catch (RuntimeException e) {
        throw release(c, e);
      }
      release(what, c);
      return result;
    }

    @Override
    public CommitOutcome inTransaction(String what, CommitWork work) {
      Connection c = connection(what);
      CommitOutcome outcome;
      try {
        outcome = c.getAutoCommit() ? ownTransaction(c, what, work) : inSavepoint(c, what, work);
      } catch (SQLException e) {
        throw release(c, failure(what, e));
      } catch (RuntimeException e) {
        throw release(c, e);
      }
      release(what, c);
      return outcome;
    }

    @Override
    public void whenDurable(Runnable action) {
      try {
        provider.afterCommit(action);
      } catch (SQLException e) {
        throw failure("wait for the host's commit", e);
      }
    }

    private Connection connection(String what) {
      try {
        return Objects.requireNonNull(provider.currentConnection(), "the connection provider returned null");
      } catch (SQLException e) {
        throw failure(what, e);
      }
    }

    /** Gives the connection back after the work succeeded; a failure to do so fails the call. */
    private void release(String what, Connection c) {
      try {
        provider.releaseConnection(c);
      } catch (SQLException e) {
        throw failure(what + " (giving the connection back)", e);
      }
    }

    /** Gives the connection back after the work failed, keeping the work's failure first. */
    private <E extends RuntimeException> E release(Connection c, E failure) {
      try {
        provider.releaseConnection(c);
      } catch (SQLException | RuntimeException e) {
        failure.addSuppressed(e);
      }
      return failure;
    }

    /** A commit in the host's transaction, within a savepoint: durable only when the host commits. */
    private static CommitOutcome inSavepoint(Connection c, String what, CommitWork work) {
      Savepoint savepoint;
      try {
        savepoint = c.setSavepoint();
      } catch (SQLException e) {
        throw failure(what, e);
      }
      try {
        if (work.write(c) == CommitOutcome.COMMITTED) {
          c.releaseSavepoint(savepoint);
          // Durable only when the host commits: core must not run a later call on what it wrote.
          return CommitOutcome.WRITTEN_IN_HOST_TRANSACTION;
        }
        c.rollback(savepoint);
        return CommitOutcome.CONFLICT;
      } catch (SQLException e) {
        rollbackTo(c, savepoint, e);
        if (isConflict(e)) {
          return CommitOutcome.CONFLICT;
        }
        throw failure(what, e);
      } catch (RuntimeException e) {
        rollbackTo(c, savepoint, e);
        throw e;
      }
    }

    private static void rollbackTo(Connection c, Savepoint savepoint, Throwable failure) {
      try {
        c.rollback(savepoint);
      } catch (SQLException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  /**
   * Runs the work as one transaction the store owns on this connection, restoring auto-commit after.
   *
   * @throws SQLException only from getting or restoring the connection's auto-commit mode
   */
  private static CommitOutcome ownTransaction(Connection c, String what, CommitWork work)
      throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    boolean triedAtOnce = false;
    if (autoCommit) {
      try {
        if (work.writeAtOnce(c)) {
          return CommitOutcome.COMMITTED;
        }
      } catch (SQLException e) {
        if (isConflict(e)) {
          return CommitOutcome.CONFLICT;
        }
        if (answerLost(c, e)) {
          // The statement commits itself: with its answer lost, it may have committed.
          throw failure(what, e, StoreException.Outcome.UNKNOWN);
        }
        // Nothing was written; the transaction below decides what the failure means.
        triedAtOnce = true;
      }
      c.setAutoCommit(false);
    }
    boolean commitSent = false;
    try {
      CommitOutcome outcome = triedAtOnce ? work.write(c) : work.writeOwned(c);
      if (outcome == CommitOutcome.COMMITTED) {
        commitSent = true;
        c.commit();
      } else {
        c.rollback();
      }
      return outcome;
    } catch (SQLException e) {
      rollback(c, e);
      if (isConflict(e)) {
        return CommitOutcome.CONFLICT;
      }
      throw failure(what, e, commitSent ? StoreException.Outcome.UNKNOWN : StoreException.Outcome.NOT_APPLIED);
    } catch (RuntimeException e) {
      rollback(c, e);
      throw e;
    } finally {
      if (autoCommit) {
        try {
          c.setAutoCommit(true);
        } catch (SQLException e) {
          // The connection is broken; the pool will discard it. The outcome above stands.
        }
      }
    }
  }
}
