package io.preprompt.credits.balance;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import org.jspecify.annotations.Nullable;

/**
 * Identifies a lot within its account: the ledger sequence number of the grant that created it.
 *
 * @param value a positive number
 */
public record LotId(long value) implements Comparable<LotId> {
  /**
   * Checks the id.
   *
   * @param value a positive number
   * @throws InvalidRequestException when not positive
   */
  public LotId {
    if (value <= 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "lot id must be positive, was " + value);
    }
  }

  @Override
  public int compareTo(LotId o) {
    return Long.compare(value, o.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }

  /**
   * Compares by value, as the record's own {@code equals} does; spelled out because the generated
   * one goes through a method-handle chain on the hottest paths.
   *
   * @param o the other object
   * @return true when it is a LotId with the same value
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof LotId other && value == other.value;
  }

  /**
   * Returns the value's hash, as the record's own {@code hashCode} does.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return Long.hashCode(value);
  }
}
