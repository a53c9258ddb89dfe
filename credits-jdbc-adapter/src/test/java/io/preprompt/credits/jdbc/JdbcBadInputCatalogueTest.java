package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldStateException;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.UnknownAccountException;
import io.preprompt.credits.core.UnknownHoldException;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The adapter's part of the bad-input catalogue (the main one, over the in-memory store, is
 * {@code BadInputCatalogueTest} in the testkit): schema identifiers and the store's factories, then
 * calls that reach the database. Each row asserts the exact exception and {@link ErrorCode}, and
 * that every table's rows are unchanged.
 */
@DisplayName("Bad-input catalogue of the JDBC adapter")
class JdbcBadInputCatalogueTest {
  private static final Instant T0 = Instant.parse("2026-05-04T12:00:00Z");
  private static final List<String> TABLES = List.of("accounts", "lots", "holds", "ledger", "idempotency");

  record Row(String input, Class<? extends CreditsException> type, ErrorCode code, Consumer<World> call) {}

  /** A fresh H2 database with Alice (a pack, an active and a released hold) and Bob (an active hold). */
  static final class World {
    final Databases.Target target = Databases.H2.fresh();
    final JdbcCreditStore store = target.store();
    final CreditService credits = CreditService.builder().store(store).clock(new MutableClock(T0)).build();
    final AccountId alice = AccountId.of("alice");
    final AccountId bob = AccountId.of("bob");
    final IdempotencyKey usedKey = IdempotencyKey.of("grant-1");
    final Hold active;
    final Hold released;
    final Hold bobs;

    World() {
      credits.openAccount(alice, IdempotencyKey.of("open"));
      credits.openAccount(bob, IdempotencyKey.of("open"));
      credits.grant(alice, LotSource.PACK, CreditAmount.of(100), null, usedKey);
      credits.grant(bob, LotSource.PACK, CreditAmount.of(100), null, usedKey);
      active = credits.hold(HoldRequest.of(alice, CreditAmount.of(30), IdempotencyKey.of("h-1")));
      released = credits.hold(HoldRequest.of(alice, CreditAmount.of(10), IdempotencyKey.of("h-2")));
      credits.release(alice, released.id(), "failed", IdempotencyKey.of("h-2-release"));
      bobs = credits.hold(HoldRequest.of(bob, CreditAmount.of(20), IdempotencyKey.of("h-1")));
    }

    /** Every row of every table, as text, in a stable order. */
    Map<String, List<String>> snapshot() {
      Map<String, List<String>> all = new TreeMap<>();
      try (Connection c = target.dataSource().getConnection(); Statement st = c.createStatement()) {
        for (String table : TABLES) {
          List<String> rows = new ArrayList<>();
          try (ResultSet rs = st.executeQuery("SELECT * FROM " + target.config().table(table))) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
              StringBuilder row = new StringBuilder();
              for (int i = 1; i <= meta.getColumnCount(); i++) {
                row.append(meta.getColumnName(i)).append('=').append(rs.getString(i)).append(';');
              }
              rows.add(row.toString());
            }
          }
          rows.sort(null);
          all.put(table, rows);
        }
      } catch (SQLException e) {
        throw new AssertionError("cannot read the tables", e);
      }
      return all;
    }
  }

  @TestFactory
  @DisplayName("every row gets its typed error code and changes no table")
  Stream<DynamicTest> catalogue() {
    return rows().stream().map(row -> dynamicTest(row.code() + ": " + row.input(), () -> {
      World world = new World();
      Map<String, List<String>> before = world.snapshot();
      assertThat(before.get("ledger")).as("the world has a ledger").isNotEmpty();
      Throwable thrown = catchThrowable(() -> row.call().accept(world));
      assertThat(thrown).as("what %s throws", row.input()).isInstanceOf(row.type());
      assertThat(((CreditsException) thrown).code()).as("error code of %s", row.input()).isEqualTo(row.code());
      assertThat(world.snapshot()).as("tables after %s", row.input()).isEqualTo(before);
    }));
  }

  private static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    Consumer<Row> add = rows::add;
    for (String schema : List.of("", "Billing", "1abc", "a-b", "a b", "a;drop table x", "a.b", "\"x\"",
        "abcdefghijklmnopqrstuvwxyzabcdefg")) {
      add.accept(new Row("schema name '" + schema + "'", InvalidRequestException.class,
          ErrorCode.INVALID_CONFIGURATION, w -> JdbcStoreConfig.builder().schema(schema)));
    }
    for (String prefix : List.of("X_", "credits-", "p;", "p.", "p x")) {
      add.accept(new Row("table prefix '" + prefix + "'", InvalidRequestException.class,
          ErrorCode.INVALID_CONFIGURATION, w -> JdbcStoreConfig.builder().tablePrefix(prefix)));
    }
    add.accept(new Row("a null table prefix", InvalidRequestException.class, ErrorCode.INVALID_CONFIGURATION,
        w -> JdbcStoreConfig.builder().tablePrefix(null)));
    add.accept(new Row("a null dialect", InvalidRequestException.class, ErrorCode.INVALID_CONFIGURATION,
        w -> JdbcStoreConfig.builder().dialect(null)));
    add.accept(new Row("a store without a data source", InvalidRequestException.class,
        ErrorCode.INVALID_CONFIGURATION, w -> JdbcCreditStore.create(null, w.target.config())));
    add.accept(new Row("a store without a config", InvalidRequestException.class, ErrorCode.INVALID_CONFIGURATION,
        w -> JdbcCreditStore.create(w.target.dataSource(), null)));
    add.accept(new Row("a host-transaction store without a connection provider", InvalidRequestException.class,
        ErrorCode.INVALID_CONFIGURATION, w -> JdbcCreditStore.inHostTransaction(null, w.target.config())));
    add.accept(new Row("a connection-bound store without a connection", InvalidRequestException.class,
        ErrorCode.INVALID_CONFIGURATION, w -> JdbcCreditStore.withConnection(null, w.target.config())));
    add.accept(new Row("installing without a data source", InvalidRequestException.class,
        ErrorCode.INVALID_CONFIGURATION, w -> JdbcCreditStore.install(null, w.target.config())));
    add.accept(new Row("installing on a null connection", InvalidRequestException.class,
        ErrorCode.INVALID_CONFIGURATION, w -> SchemaInstaller.install((Connection) null, w.target.config())));

    add.accept(new Row("a grant to an account never opened", UnknownAccountException.class,
        ErrorCode.ACCOUNT_NOT_FOUND,
        w -> w.credits.grant(AccountId.of("nobody"), LotSource.PACK, CreditAmount.of(1), null, w.usedKey)));
    add.accept(new Row("settling another account's hold", UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND,
        w -> w.credits.settle(w.alice, w.bobs.id(), IdempotencyKey.of("steal"))));
    add.accept(new Row("settling more than held and available, under refuse", InsufficientCreditsException.class,
        ErrorCode.INSUFFICIENT_CREDITS,
        w -> w.credits.settle(w.alice, w.active.id(), CreditAmount.of(1_000_000_000L), IdempotencyKey.of("s-1"))));
    add.accept(new Row("settling zero credits", InvalidRequestException.class, ErrorCode.INVALID_AMOUNT,
        w -> w.credits.settle(w.alice, w.active.id(), CreditAmount.ZERO, IdempotencyKey.of("s-1"))));
    add.accept(new Row("settling a released hold", HoldStateException.class, ErrorCode.HOLD_ALREADY_RELEASED,
        w -> w.credits.settle(w.alice, w.released.id(), IdempotencyKey.of("s-1"))));
    add.accept(new Row("a used key with another amount", IdempotencyConflictException.class,
        ErrorCode.IDEMPOTENCY_CONFLICT,
        w -> w.credits.grant(w.alice, LotSource.PACK, CreditAmount.of(99), null, w.usedKey)));
    add.accept(new Row("holding more than is available", InsufficientCreditsException.class,
        ErrorCode.INSUFFICIENT_CREDITS,
        w -> w.credits.hold(HoldRequest.of(w.alice, CreditAmount.of(71), IdempotencyKey.of("h-3")))));
    add.accept(new Row("a grant that overflows the account's total", InvalidRequestException.class,
        ErrorCode.AMOUNT_OVERFLOW,
        w -> w.credits.grant(w.alice, LotSource.PACK, CreditAmount.of(Long.MAX_VALUE), null, IdempotencyKey.of("g"))));
    add.accept(new Row("a grant expiring after year 9999, later than a timestamp column holds",
        InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT, w -> w.credits.grant(w.alice, LotSource.PROMOTION,
            CreditAmount.of(5), Instant.parse("+100000-01-01T00:00:00Z"), IdempotencyKey.of("g"))));
    return rows;
  }
}
