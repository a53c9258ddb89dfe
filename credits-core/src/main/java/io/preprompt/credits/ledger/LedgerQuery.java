package io.preprompt.credits.ledger;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Selects a page of an account's ledger: entries with a sequence above {@code afterSequence},
 * optionally within {@code [from, to)}, in sequence order, at most {@code limit} of them.
 *
 * @param afterSequence exclusive lower bound on the sequence (0 for the start)
 * @param from inclusive lower bound on the time, or {@code null}
 * @param to exclusive upper bound on the time, or {@code null}
 * @param limit page size, 1..{@value #MAX_LIMIT}
 */
public record LedgerQuery(long afterSequence, @Nullable Instant from, @Nullable Instant to, int limit) {
  /** Largest page. */
  public static final int MAX_LIMIT = 10_000;

  /**
   * Checks the query.
   *
   * @param afterSequence exclusive lower bound on the sequence (0 for the start)
   * @param from inclusive lower bound on the time, or {@code null}
   * @param to exclusive upper bound on the time, or {@code null}
   * @param limit page size, 1..{@value #MAX_LIMIT}
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a negative cursor,
   *     a limit outside 1..{@value #MAX_LIMIT} or {@code from} after {@code to}
   */
  public LedgerQuery {
    if (afterSequence < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "afterSequence must not be negative, was " + afterSequence);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "limit must be 1.." + MAX_LIMIT + ", was " + limit);
    }
    if (from != null && to != null && from.isAfter(to)) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "from " + from + " is after to " + to);
    }
  }

  /**
   * Returns the first page of the whole ledger.
   *
   * @param limit page size
   * @return the query
   */
  public static LedgerQuery firstPage(int limit) {
    return new LedgerQuery(0, null, null, limit);
  }

  /**
   * Returns entries after a sequence number: the durable feed's query.
   *
   * @param sequence exclusive lower bound
   * @param limit page size
   * @return the query
   */
  public static LedgerQuery after(long sequence, int limit) {
    return new LedgerQuery(sequence, null, null, limit);
  }

  /**
   * Returns the first page of entries in a time range.
   *
   * @param from inclusive start
   * @param to exclusive end
   * @param limit page size
   * @return the query
   */
  public static LedgerQuery between(Instant from, Instant to, int limit) {
    if (from == null || to == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a time range needs both ends, was " + from + ".." + to);
    }
    return new LedgerQuery(0, from, to, limit);
  }

  /**
   * Returns the same query continued after a sequence number.
   *
   * @param sequence the last sequence seen
   * @return the next page's query
   */
  public LedgerQuery continueAfter(long sequence) {
    return new LedgerQuery(sequence, from, to, limit);
  }

  /**
   * Tells whether an entry matches the time range.
   *
   * @param at the entry's time
   * @return true when within {@code [from, to)}
   */
  public boolean matchesTime(Instant at) {
    return (from == null || !at.isBefore(from)) && (to == null || at.isBefore(to));
  }

  /**
   * Returns the lower time bound.
   *
   * @return from, if set
   */
  public Optional<Instant> fromTime() {
    return Optional.ofNullable(from);
  }

  /**
   * Returns the upper time bound.
   *
   * @return to, if set
   */
  public Optional<Instant> toTime() {
    return Optional.ofNullable(to);
  }
}
