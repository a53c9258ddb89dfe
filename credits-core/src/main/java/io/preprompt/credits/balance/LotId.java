package io.preprompt.credits.balance;

import io.preprompt.credits.ErrorCode;
import io.preprompt.credits.InvalidRequestException;

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
}
