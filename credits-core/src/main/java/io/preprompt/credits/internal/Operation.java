package io.preprompt.credits.internal;

import io.preprompt.credits.core.HoldId;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One mutating call, as the engine runs it: its name and parameters (for idempotency), its effect
 * on a working copy, and how its result is stored for replay.
 *
 * @param <R> the result type
 */
interface Operation<R> {
  /**
   * Returns the operation's stable name, stored with the idempotency record.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the call's parameters, encoded with {@link FieldCodec}; compared field by field on replay.
   *
   * @return the fingerprint
   */
  String fingerprint();

  /**
   * Returns the hold the call acts on, which the engine reads with the account (a settle's or a
   * release's); null for a call that acts on no existing hold.
   *
   * @return the hold, or null
   */
  default @Nullable HoldId hold() {
    return null;
  }

  /**
   * Applies the call to a working copy; throws to refuse it (nothing is then written).
   *
   * @param tx the working copy, with lazy expiry already applied
   * @return the result
   */
  R apply(AccountTx tx);

  /**
   * Runs before an earlier call's result is replayed; throws to refuse the replay. Checks an
   * operation makes in {@link #apply} against the working copy and that must also hold on a replay
   * belong here, reading what they need themselves (a replay loads no working copy).
   */
  default void beforeReplay() {}

  /**
   * Encodes a result for the idempotency record.
   *
   * @param result the result
   * @return its encoding
   */
  String encode(R result);

  /**
   * Decodes a stored result.
   *
   * @param encoded the encoding
   * @return the result
   */
  R decode(String encoded);

  /**
   * Makes an operation from its parts.
   *
   * @param name the stable name
   * @param fingerprint the call's parameters, encoded with {@link FieldCodec}
   * @param apply the call's effect on a working copy
   * @param encode encodes a result for the idempotency record
   * @param decode decodes a stored result
   * @param <R> the result type
   * @return the operation
   */
  static <R> Operation<R> of(String name, String fingerprint, Function<AccountTx, R> apply,
      Function<R, String> encode, Function<String, R> decode) {
    return of(name, fingerprint, null, apply, encode, decode);
  }

  /**
   * Makes an operation that acts on a hold, read with the account, from its parts.
   *
   * @param name the stable name
   * @param fingerprint the call's parameters, encoded with {@link FieldCodec}
   * @param hold the hold the call acts on, or null
   * @param apply the call's effect on a working copy
   * @param encode encodes a result for the idempotency record
   * @param decode decodes a stored result
   * @param <R> the result type
   * @return the operation
   */
  static <R> Operation<R> of(String name, String fingerprint, @Nullable HoldId hold, Function<AccountTx, R> apply,
      Function<R, String> encode, Function<String, R> decode) {
    return new Operation<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String fingerprint() {
        return fingerprint;
      }

      @Override
      public @Nullable HoldId hold() {
        return hold;
      }

      @Override
      public R apply(AccountTx tx) {
        return apply.apply(tx);
      }

      @Override
      public String encode(R result) {
        return encode.apply(result);
      }

      @Override
      public R decode(String encoded) {
        return decode.apply(encoded);
      }
    };
  }
}
