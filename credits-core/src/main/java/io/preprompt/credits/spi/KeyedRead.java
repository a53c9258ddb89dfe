package io.preprompt.credits.spi;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What {@link CreditStore#readForCall} returns: the record of an earlier call with the key, or the
 * account as it stands.
 *
 * @param record the earlier call's record, or {@code null} when the key was never committed
 * @param snapshot the account with the selected holds, or {@code null} when it does not exist; a
 *     store may leave it out when it found a record
 */
public record KeyedRead(@Nullable IdempotencyRecord record, @Nullable AccountSnapshot snapshot) {

  /**
   * Returns the earlier call's record.
   *
   * @return the record, empty when the key is new
   */
  public Optional<IdempotencyRecord> earlierCall() {
    return Optional.ofNullable(record);
  }

  /**
   * Returns the account.
   *
   * @return the snapshot, empty when the account does not exist (or was not read)
   */
  public Optional<AccountSnapshot> account() {
    return Optional.ofNullable(snapshot);
  }
}
