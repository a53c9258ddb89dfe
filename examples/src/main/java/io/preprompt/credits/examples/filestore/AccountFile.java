package io.preprompt.credits.examples.filestore;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.spi.PlanRecord;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One account's stored state and its text format: one line per item, tab-separated fields.
 *
 * <pre>
 * A  id version lastSequence granted settled expired debited activeHolds createdAt planDueAt debt overage
 * L  lot source granted remaining reserved grantedAt expiresAt          (live lots)
 * H  hold amount state createdAt deadline settled endedAt metadata allocations   (every hold)
 * E  sequence type amount lot source hold key at metadata                (the ledger, in order)
 * K  key operation fingerprint result at                                 (idempotency records)
 * T  pack threshold cap armed month spent reference sendAt attempts skippedAt (the plan's top-up)
 * </pre>
 *
 * <p>Every text field is percent-encoded ({@code %}, tab, CR, LF, {@code ,}, {@code =} and
 * {@code ~}), so the separators never occur inside a field; {@code ~} stands for null. Maps are
 * {@code name=value} pairs and allocations {@code lot=amount} pairs, comma-separated. Instants use
 * {@link Instant#toString()}, which keeps every nanosecond.
 */
final class AccountFile {
  AccountRecord record;
  final Map<LotId, Lot> lots = new LinkedHashMap<>();
  final Map<HoldId, Hold> holds = new LinkedHashMap<>();
  final List<LedgerEntry> ledger = new ArrayList<>();
  final Map<IdempotencyKey, IdempotencyRecord> keys = new LinkedHashMap<>();

  AccountFile(AccountRecord record) {
    this.record = record;
  }

  /** The account as {@code load} returns it: the row, the live lots and the selected holds. */
  AccountSnapshot snapshot(HoldSelection selection) {
    List<Hold> selected = new ArrayList<>();
    Instant earliest = null;
    for (Hold h : holds.values()) {
      boolean active = h.state() == HoldState.ACTIVE;
      if (selection.selects(h.id(), active, h.deadline())) {
        selected.add(h);
      }
      if (active && (earliest == null || h.deadline().isBefore(earliest))) {
        earliest = h.deadline();
      }
    }
    return new AccountSnapshot(record, List.copyOf(lots.values()), selected, earliest);
  }

  /** Whether the change applies to this state: the key is new and every hold it ends is still active. */
  boolean accepts(AccountChange change) {
    IdempotencyRecord key = change.idempotency();
    if (key != null && keys.containsKey(key.key())) {
      return false;
    }
    for (Hold ended : change.endedHolds()) {
      Hold stored = holds.get(ended.id());
      if (stored == null || stored.state() != HoldState.ACTIVE || !ended.state().isTerminal()) {
        return false;
      }
    }
    for (Hold grown : change.changedHolds()) {
      Hold stored = holds.get(grown.id());
      if (stored == null || stored.state() != HoldState.ACTIVE) {
        return false;
      }
    }
    return true;
  }

  void apply(AccountChange change) {
    record = change.account();
    for (Lot lot : change.newLots()) {
      putLot(lot);
    }
    for (Lot lot : change.changedLots()) {
      putLot(lot);
    }
    for (Hold h : change.newHolds()) {
      holds.put(h.id(), h);
    }
    for (Hold h : change.endedHolds()) {
      holds.put(h.id(), h);
    }
    for (Hold h : change.changedHolds()) {
      holds.put(h.id(), h);
    }
    ledger.addAll(change.entries());
    IdempotencyRecord key = change.idempotency();
    if (key != null) {
      keys.put(key.key(), key);
    }
  }

  /** Keeps live lots only (credits remaining or reserved), as {@code load} returns them. */
  private void putLot(Lot lot) {
    if (lot.isLive()) {
      lots.put(lot.id(), lot);
    } else {
      lots.remove(lot.id());
    }
  }

  // ------------------------------------------------------------------------------------ format

  String format() {
    StringBuilder out = new StringBuilder(256 + 160 * ledger.size());
    AccountRecord a = record;
    line(out, "A", text(a.id().value()), a.version(), a.lastSequence(), a.granted(), a.settled(), a.expired(),
        a.debited(), a.activeHolds(), a.createdAt(), a.planDueAt() == null ? NULL : a.planDueAt(), a.debt(),
        a.overage() == null ? NULL : a.overage());
    PlanRecord p = a.plan();
    if (p != null) {
      line(out, "P", text(p.tier()), p.status(), p.signupGranted(), orNull(p.anchor()), p.paidCycle(),
          p.cycleStartSequence(), p.allowanceTotal(), text(p.pendingTier()), orNull(p.pendingAt()),
          orNull(p.cancelAt()), p.subscription(), p.requests(), p.renewalFailures(), orNull(p.renewalRetryAt()));
      for (PlanRecord.Charge c : p.charges()) {
        line(out, "C", c.subscription(), c.cycle(), text(c.tier()), c.start(), c.end(), text(c.reference()),
            c.attempts(), c.claimed(), c.notBefore());
      }
      for (PlanRecord.Order o : p.orders()) {
        line(out, "O", text(o.reference()), text(o.packId()), o.priceMinor(), text(o.currency()), o.orderedAt());
      }
      PlanRecord.TopUp t = p.topUp();
      if (t != null) {
        line(out, "T", text(t.packId()), t.threshold(), t.capMinor(), t.armed(), orNull(t.month()), t.spentMinor(),
            text(t.reference()), orNull(t.sendAt()), t.attempts(), orNull(t.skippedAt()));
      }
    }
    for (Lot l : lots.values()) {
      line(out, "L", l.id().value(), l.source(), l.granted(), l.remaining(), l.reserved(), l.grantedAt(),
          l.expiresAt() == null ? NULL : l.expiresAt());
    }
    for (Hold h : holds.values()) {
      StringBuilder alloc = new StringBuilder();
      for (Allocation al : h.allocations()) {
        alloc.append(alloc.length() == 0 ? "" : ",").append(al.lot().value()).append('=').append(al.amount());
      }
      line(out, "H", h.id().value(), h.amount(), h.state(), h.createdAt(), h.deadline(), h.settled(),
          h.endedAt() == null ? NULL : h.endedAt(), map(h.metadata()), alloc);
    }
    for (LedgerEntry e : ledger) {
      line(out, "E", e.sequence(), e.type(), e.amount(), e.lot().value(), e.source(),
          e.hold() == null ? NULL : e.hold().value(), e.key() == null ? NULL : text(e.key().value()), e.at(),
          map(e.metadata()));
    }
    for (IdempotencyRecord k : keys.values()) {
      line(out, "K", text(k.key().value()), text(k.operation()), text(k.fingerprint()), text(k.result()), k.at());
    }
    return out.toString();
  }

  static AccountFile parse(String content) {
    AccountFile file = null;
    AccountId id = null;
    String[] plan = null;
    List<PlanRecord.Charge> charges = new ArrayList<>();
    List<PlanRecord.Order> orders = new ArrayList<>();
    PlanRecord.TopUp topUp = null;
    for (String line : content.split("\n")) {
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "A":
          id = AccountId.of(untext(f[1]));
          file = new AccountFile(new AccountRecord(id, Long.parseLong(f[2]), Long.parseLong(f[3]),
              Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
              Long.parseLong(f[8]), Instant.parse(f[9]), null, instant(f[10]),
              // Files written before debt existed end at planDueAt.
              f.length > 11 ? Long.parseLong(f[11]) : 0,
              f.length > 12 && !NULL.equals(f[12]) ? OveragePolicy.parse(f[12]) : null));
          break;
        case "P":
          plan = f;
          break;
        case "C":
          charges.add(new PlanRecord.Charge(Long.parseLong(f[1]), Long.parseLong(f[2]), untext(f[3]),
              Instant.parse(f[4]), Instant.parse(f[5]), untext(f[6]), Integer.parseInt(f[7]),
              Boolean.parseBoolean(f[8]), Instant.parse(f[9])));
          break;
        case "O":
          orders.add(new PlanRecord.Order(untext(f[1]), untext(f[2]), Long.parseLong(f[3]), untext(f[4]),
              Instant.parse(f[5])));
          break;
        case "T":
          topUp = new PlanRecord.TopUp(untext(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
              Boolean.parseBoolean(f[4]), instant(f[5]), Long.parseLong(f[6]), untext(f[7]), instant(f[8]),
              Integer.parseInt(f[9]), instant(f[10]));
          break;
        case "L":
          Lot lot = new Lot(new LotId(Long.parseLong(f[1])), LotSource.valueOf(f[2]), Long.parseLong(f[3]),
              Long.parseLong(f[4]), Long.parseLong(f[5]), Instant.parse(f[6]), instant(f[7]));
          require(file).lots.put(lot.id(), lot);
          break;
        case "H":
          List<Allocation> allocations = new ArrayList<>();
          for (Map.Entry<String, String> al : unmap(f[9]).entrySet()) {
            allocations.add(new Allocation(new LotId(Long.parseLong(al.getKey())), Long.parseLong(al.getValue())));
          }
          Hold hold = new Hold(HoldId.of(f[1]), id, Long.parseLong(f[2]), HoldState.valueOf(f[3]), Instant.parse(f[4]),
              Instant.parse(f[5]), Long.parseLong(f[6]), instant(f[7]), unmap(f[8]), allocations);
          require(file).holds.put(hold.id(), hold);
          break;
        case "E":
          String key = untext(f[7]);
          require(file).ledger.add(new LedgerEntry(id, Long.parseLong(f[1]), EntryType.valueOf(f[2]),
              Long.parseLong(f[3]), new LotId(Long.parseLong(f[4])), LotSource.valueOf(f[5]),
              NULL.equals(f[6]) ? null : HoldId.of(f[6]), key == null ? null : IdempotencyKey.of(key),
              Instant.parse(f[8]), unmap(f[9])));
          break;
        case "K":
          IdempotencyRecord k = new IdempotencyRecord(IdempotencyKey.of(untext(f[1])), untext(f[2]), untext(f[3]),
              untext(f[4]), Instant.parse(f[5]));
          require(file).keys.put(k.key(), k);
          break;
        default:
          throw new IllegalArgumentException("unreadable account file line: " + f[0]);
      }
    }
    AccountFile read = require(file);
    if (plan != null) {
      String[] f = plan;
      AccountRecord a = read.record;
      read.record = new AccountRecord(a.id(), a.version(), a.lastSequence(), a.granted(), a.settled(), a.expired(),
          a.debited(), a.activeHolds(), a.createdAt(), new PlanRecord(untext(f[1]), f[2], Boolean.parseBoolean(f[3]),
              instant(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), untext(f[8]),
              instant(f[9]), instant(f[10]), Long.parseLong(f[11]), Long.parseLong(f[12]), charges, orders,
              Integer.parseInt(f[13]), instant(f[14]), topUp), a.planDueAt(), a.debt(), a.overage());
    }
    return read;
  }

  private static AccountFile require(@Nullable AccountFile file) {
    if (file == null) {
      throw new IllegalArgumentException("account file without its account line");
    }
    return file;
  }

  // ------------------------------------------------------------------------------------ fields

  private static final String NULL = "~";

  private static void line(StringBuilder out, String type, Object... fields) {
    out.append(type);
    for (Object f : fields) {
      out.append('\t').append(f);
    }
    out.append('\n');
  }

  private static String text(@Nullable String s) {
    if (s == null) {
      return NULL;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '%', '\t', '\r', '\n', ',', '=', '~', '+' -> b.append('%').append(String.format("%02X", (int) c));
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static @Nullable String untext(String s) {
    return NULL.equals(s) ? null : URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static Object orNull(@Nullable Instant instant) {
    return instant == null ? NULL : instant;
  }

  private static @Nullable Instant instant(String s) {
    return NULL.equals(s) ? null : Instant.parse(s);
  }

  private static String map(Map<String, String> m) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(m).entrySet()) {
      b.append(b.length() == 0 ? "" : ",").append(text(e.getKey())).append('=').append(text(e.getValue()));
    }
    return b.toString();
  }

  private static Map<String, String> unmap(String s) {
    Map<String, String> m = new LinkedHashMap<>();
    if (!s.isEmpty()) {
      for (String pair : s.split(",", -1)) {
        int eq = pair.indexOf('=');
        m.put(untext(pair.substring(0, eq)), untext(pair.substring(eq + 1)));
      }
    }
    return m;
  }
}
