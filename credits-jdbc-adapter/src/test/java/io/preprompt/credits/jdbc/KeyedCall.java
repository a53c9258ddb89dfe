package io.preprompt.credits.jdbc;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One keyed call of the crash and failover tests: how to (re)send it through a service, and what
 * became of it.
 */
final class KeyedCall {
  /** What the call does. */
  enum Kind { GRANT, HOLD, SETTLE, RELEASE }

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
}
