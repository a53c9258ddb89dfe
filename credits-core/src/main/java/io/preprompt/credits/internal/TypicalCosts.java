package io.preprompt.credits.internal;

import io.preprompt.credits.core.AccountId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers each account's recent estimates, so the low-balance signal can compare the balance with
 * the account's typical generation (the median of its last {@value #WINDOW} estimates) rather than
 * with whatever it generated last. Bounded: the least recently active accounts are forgotten. Kept per
 * gate instance; a forgotten or new account's typical cost is its latest estimate.
 */
final class TypicalCosts {
  /** How many recent estimates make up the typical cost. */
  static final int WINDOW = 9;
  /** How many accounts are remembered by default. */
  static final int DEFAULT_ACCOUNTS = 10_000;

  private final Map<AccountId, long[]> recent;

  TypicalCosts(int accounts) {
    if (accounts < 1) {
      throw new IllegalArgumentException("accounts must be positive");
    }
    this.recent = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<AccountId, long[]> eldest) {
        return size() > accounts;
      }
    };
  }

  /**
   * Records an estimate and returns the account's typical cost including it.
   *
   * @param account the account
   * @param estimate credits
   * @return the median of the recent estimates
   */
  synchronized long record(AccountId account, long estimate) {
    // Slot 0 counts the estimates seen; slots 1..WINDOW are a ring of the latest ones.
    long[] ring = recent.computeIfAbsent(account, a -> new long[WINDOW + 1]);
    ring[1 + (int) (ring[0] % WINDOW)] = estimate;
    ring[0]++;
    return median(ring);
  }

  /**
   * Returns the account's typical cost.
   *
   * @param account the account
   * @return the median of the recent estimates, 0 when none is known
   */
  synchronized long typical(AccountId account) {
    long[] ring = recent.get(account);
    return ring == null ? 0 : median(ring);
  }

  private static long median(long[] ring) {
    int n = (int) Math.min(ring[0], WINDOW);
    long[] values = Arrays.copyOfRange(ring, 1, 1 + n);
    Arrays.sort(values);
    return values[(n - 1) / 2];
  }
}
