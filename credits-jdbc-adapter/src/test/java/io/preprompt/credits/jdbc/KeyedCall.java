package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.Reconciliation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One keyed call of the crash and failover tests: how to (re)send it through a service, and what
 * became of it.
 */
final class KeyedCall {
  /** What the call does. */
  enum Kind {
    GRANT, HOLD, SETTLE, RELEASE;

    /** The type of the entries that move the call's amount (a settle's returned part is a RELEASE). */
    boolean moves(EntryType type) {
      return switch (this) {
        case GRANT -> type == EntryType.GRANT;
        case HOLD -> type == EntryType.HOLD;
        case SETTLE -> type == EntryType.SETTLE || type == EntryType.RELEASE;
        case RELEASE -> type == EntryType.RELEASE;
      };
    }
  }

  /** The result of a hold refused for insufficient credits: no effect, nothing to replay. */
  static final Object REFUSED = new Object() {
    @Override
    public String toString() {
      return "REFUSED";
    }
  };

  final int number;
  final Kind kind;
  final AccountId account;
  final IdempotencyKey key;
  /** Granted or held; for a settle, the amount of the hold it ends. */
  final long amount;
  final @Nullable HoldId hold;
  final Function<CreditService, Object> send;
  /** The result, or {@link #REFUSED}; null while unknown. */
  volatile @Nullable Object result;
  /** The call failed with a store failure: its outcome is unknown until it is resent. */
  volatile boolean unknown;
  /** It failed with a StoreException that said nothing was applied. */
  volatile boolean notApplied;
  /** The service answered it (in the crash test: before the crash). */
  volatile boolean acknowledged;

  KeyedCall(int number, Kind kind, AccountId account, IdempotencyKey key, long amount, @Nullable HoldId hold,
      Function<CreditService, Object> send) {
    this.number = number;
    this.kind = kind;
    this.account = account;
    this.key = key;
    this.amount = amount;
    this.hold = hold;
    this.send = send;
  }

  boolean tookEffect() {
    return result != null && result != REFUSED;
  }

  /**
   * Opens accounts {@code prefix-0} to {@code prefix-(count-1)}, each granted {@code initial} credits
   * under the key {@code initial}.
   */
  static List<AccountId> openAccounts(CreditService setup, String prefix, int count, long initial) {
    List<AccountId> accounts = new ArrayList<>();
    for (int a = 0; a < count; a++) {
      AccountId id = AccountId.of(prefix + "-" + a);
      accounts.add(id);
      setup.openAccount(id, IdempotencyKey.of("open"));
      setup.grant(id, LotSource.SIGNUP_GRANT, CreditAmount.of(initial), null, IdempotencyKey.of("initial"));
    }
    return accounts;
  }

  /**
   * Checks an account against the model its calls' results make: what was granted, settled and is
   * still held, the reconciliation and the balance; then that the ledger holds exactly the keys of the
   * calls that took effect (and {@code initial}), each moving its call's amount once.
   *
   * @param check a service over the store after the run
   * @param account the account
   * @param initial the credits it was opened with
   * @param all every call of the run
   * @param entries the account's ledger
   * @param perCall further checks of a call that took effect, given its entries
   * @return the number of ledger entries checked
   */
  static int checkAgainstModel(CreditService check, AccountId account, long initial, List<KeyedCall> all,
      List<LedgerEntry> entries, BiConsumer<KeyedCall, List<LedgerEntry>> perCall) {
    long granted = initial;
    long settled = 0;
    Map<HoldId, Long> live = new HashMap<>();
    Set<String> effectiveKeys = new HashSet<>(Set.of("initial"));
    List<KeyedCall> effective = all.stream().filter(c -> c.account.equals(account) && c.tookEffect()).toList();
    for (KeyedCall call : effective) {
      effectiveKeys.add(call.key.value());
      Object result = call.result;
      if (result instanceof GrantReceipt g) {
        granted += g.amount();
      } else if (result instanceof Hold h) {
        live.put(h.id(), h.amount());
      } else if (result instanceof Settlement st) {
        settled += st.settled();
        assertThat(st.settled() + st.returned()).as("settlement of %s", call.key).isEqualTo(call.amount);
      } else if (result instanceof Release r) {
        assertThat(r.returned()).as("release of %s", call.key).isEqualTo(call.amount);
      }
    }
    for (KeyedCall call : effective) {
      if (call.hold != null) {
        assertThat(live.remove(call.hold)).as("hold %s ended by %s existed and ended once", call.hold, call.key)
            .isNotNull();
      }
    }
    long held = live.values().stream().mapToLong(Long::longValue).sum();

    BalanceView view = check.balance(account);
    Reconciliation rec = check.reconcile(account);
    assertThat(rec.consistent()).as("reconciliation of %s: %s", account, rec.differences()).isTrue();
    assertThat(rec.granted()).as("granted on %s", account).isEqualTo(granted);
    assertThat(rec.settled()).as("settled on %s", account).isEqualTo(settled);
    assertThat(view.held()).as("held on %s", account).isEqualTo(held);
    assertThat(view.available()).as("available on %s", account).isEqualTo(granted - settled - held);

    Map<String, List<LedgerEntry>> byKey = new HashMap<>();
    for (LedgerEntry e : entries) {
      if (e.key() != null) {
        byKey.computeIfAbsent(e.key().value(), x -> new ArrayList<>()).add(e);
      }
    }
    assertThat(byKey.keySet()).as("keys in the ledger of %s", account).isEqualTo(effectiveKeys);
    int checked = 0;
    for (KeyedCall call : effective) {
      List<LedgerEntry> effect = byKey.get(call.key.value());
      perCall.accept(call, effect);
      long moved = effect.stream().filter(e -> call.kind.moves(e.type())).mapToLong(LedgerEntry::amount).sum();
      assertThat(moved).as("credits moved by %s", call.key).isEqualTo(call.amount);
      checked += effect.size();
    }
    return checked;
  }
}
