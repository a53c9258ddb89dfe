package io.preprompt.credits.internal;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * Replays an account's ledger and compares the result with its stored state. The replay rules are
 * the ones {@link io.preprompt.credits.ledger.EntryType} documents.
 */
final class Reconciler {
  private Reconciler() {}

  /**
   * Replays the ledger, page by page, and compares.
   *
   * @param snapshot the stored state
   * @param pages reads the entries after a sequence number; an empty list ends the replay
   * @return the comparison
   */
  static Reconciliation reconcile(AccountSnapshot snapshot, LongFunction<List<LedgerEntry>> pages) {
    AccountRecord account = snapshot.account();
    List<String> diffs = new ArrayList<>();
    Map<Long, long[]> lots = new TreeMap<>();
    long granted = 0;
    long settled = 0;
    long expired = 0;
    long debited = 0;
    long debt = 0;
    long count = 0;
    long expectedSeq = 1;
    long after = 0;
    while (true) {
      List<LedgerEntry> page = pages.apply(after);
      if (page.isEmpty()) {
        break;
      }
      for (LedgerEntry e : page) {
        if (e.sequence() != expectedSeq) {
          diffs.add("ledger sequence jumps from " + (expectedSeq - 1) + " to " + e.sequence());
        }
        expectedSeq = e.sequence() + 1;
        count++;
        long[] lot = lots.computeIfAbsent(e.lot().value(), k -> new long[2]);
        long a = e.amount();
        switch (e.type()) {
          case GRANT:
            lot[0] += a;
            granted += a;
            break;
          case HOLD:
            lot[0] -= a;
            lot[1] += a;
            break;
          case SETTLE:
            lot[1] -= a;
            settled += a;
            break;
          case RELEASE:
          case HOLD_EXPIRED:
            lot[1] -= a;
            lot[0] += a;
            break;
          case LOT_EXPIRED:
            lot[0] -= a;
            expired += a;
            break;
          case DEBIT:
            lot[0] -= a;
            debited += a;
            break;
          case EXPIRY_CHANGED:
            // Moves no credits: only the lot's expiry changed.
            break;
          case OVERAGE:
            lot[0] -= a;
            settled += a;
            break;
          case DEBT_INCURRED:
            // The lot is the hold's: its amounts do not change.
            debt += a;
            settled += a;
            break;
          case DEBT_REPAID:
            lot[0] -= a;
            debt -= a;
            if (debt < 0) {
              diffs.add("entry " + e.sequence() + " repays more debt than is owed");
            }
            break;
          default:
            throw new IllegalStateException("unknown entry type " + e.type());
        }
        if (lot[0] < 0 || lot[1] < 0) {
          diffs.add("entry " + e.sequence() + " drives lot " + e.lot() + " negative");
        }
      }
      after = page.get(page.size() - 1).sequence();
    }
    if (account.lastSequence() != expectedSeq - 1) {
      diffs.add("stored last sequence " + account.lastSequence() + " but ledger ends at " + (expectedSeq - 1));
    }
    compare(diffs, "granted", account.granted(), granted);
    compare(diffs, "settled", account.settled(), settled);
    compare(diffs, "expired", account.expired(), expired);
    compare(diffs, "debited", account.debited(), debited);
    compare(diffs, "debt", account.debt(), debt);

    Map<Long, Lot> stored = new HashMap<>();
    for (Lot lot : snapshot.lots()) {
      stored.put(lot.id().value(), lot);
    }
    long available = 0;
    long held = 0;
    for (Map.Entry<Long, long[]> e : lots.entrySet()) {
      long[] r = e.getValue();
      available += r[0];
      held += r[1];
      Lot s = stored.remove(e.getKey());
      long storedRemaining = s == null ? 0 : s.remaining();
      long storedReserved = s == null ? 0 : s.reserved();
      if (storedRemaining != r[0] || storedReserved != r[1]) {
        diffs.add("lot " + e.getKey() + ": stored remaining/reserved " + storedRemaining + "/" + storedReserved
            + ", ledger says " + r[0] + "/" + r[1]);
      }
    }
    for (Lot extra : stored.values()) {
      diffs.add("lot " + extra.id() + " is stored but has no ledger entries");
    }
    long activeHeld = 0;
    for (Hold h : snapshot.holds()) {
      activeHeld += h.amount();
    }
    if (snapshot.holds().size() != account.activeHolds()) {
      diffs.add("stored active hold count " + account.activeHolds() + " but " + snapshot.holds().size()
          + " holds are active");
    }
    if (activeHeld != held) {
      diffs.add("active holds total " + activeHeld + " but the ledger holds " + held);
    }
    // What is owed was spent without being granted: the available balance is the lots' remaining less it.
    available -= debt;
    if (granted != available + held + settled + expired + debited) {
      diffs.add("ledger does not conserve credits: granted " + granted + " != available " + available + " + held "
          + held + " + settled " + settled + " + expired " + expired + " + debited " + debited + " (debt " + debt
          + ")");
    }
    return new Reconciliation(account.id(), count, granted, available, held, settled, expired, debited, debt, diffs);
  }

  private static void compare(List<String> diffs, String name, long stored, long replayed) {
    if (stored != replayed) {
      diffs.add(name + ": stored " + stored + ", ledger says " + replayed);
    }
  }
}
