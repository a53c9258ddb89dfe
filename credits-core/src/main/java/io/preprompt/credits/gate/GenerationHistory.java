package io.preprompt.credits.gate;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.UnknownAccountException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.LedgerReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads what generations cost, from the ledger alone: per-generation history, usage by kind over a
 * period, and a hold's whole story for support. Obtain it from {@link GenerationGate#history()} or
 * build it over any {@link io.preprompt.credits.CreditService} (or any {@link LedgerReader}); it only reads.
 *
 * <p>Every entry the gate writes carries the generation's description (kind, model, estimate,
 * rate-card version), and the entries that end a hold carry it too, plus the actual cost or the
 * reason. So a period's report reads only that period's entries; a generation that started in the
 * period but ended after it is completed by one lookup of its hold and the entries at its end time.
 * Nothing here reads an account's whole history.
 */
public final class GenerationHistory {
  /** Page size used while scanning a period. */
  static final int PAGE = 1_000;

  private final LedgerReader credits;

  /**
   * Creates a reader.
   *
   * @param credits the credit service whose ledger to read
   */
  public GenerationHistory(LedgerReader credits) {
    if (credits == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a generation history needs a credit service");
    }
    this.credits = credits;
  }

  /**
   * Lists the generations authorized in {@code [from, to)}, in the order they were authorized, with
   * their estimate, actual cost and outcome (which may have happened after {@code to}).
   *
   * @param account the account
   * @param from inclusive start
   * @param to exclusive end
   * @return the generations, oldest first
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} when a bound is missing
   *     or {@code from} is after {@code to}
   * @throws UnknownAccountException when the account does not exist
   */
  public List<GenerationRecord> generations(AccountId account, Instant from, Instant to) {
    requirePeriod(account, from, to);
    Map<HoldId, Start> started = new LinkedHashMap<>();
    Map<HoldId, List<LedgerEntry>> endings = new LinkedHashMap<>();
    credits.forEachEntry(account, LedgerQuery.between(from, to, PAGE), e -> {
      HoldId hold = e.hold();
      if (hold == null) {
        return;
      }
      if (e.type() == EntryType.HOLD) {
        GenerationKind kind = kindOf(e.metadata());
        if (kind != null) {
          started.computeIfAbsent(hold, h -> new Start(e, kind)).held += e.amount();
        }
      } else if (started.containsKey(hold)) {
        endings.computeIfAbsent(hold, h -> new ArrayList<>()).add(e);
      }
    });
    List<GenerationRecord> out = new ArrayList<>(started.size());
    for (Map.Entry<HoldId, Start> s : started.entrySet()) {
      List<LedgerEntry> end = endings.get(s.getKey());
      out.add(end == null ? completeLater(account, s.getKey(), s.getValue()) : record(s.getKey(), s.getValue(), end));
    }
    return out;
  }

  /**
   * Sums what each kind of generation was charged in {@code [from, to)} (the settlements made in
   * the period, whenever the generation started).
   *
   * @param account the account
   * @param from inclusive start
   * @param to exclusive end
   * @return the usage, every kind present
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} when a bound is missing
   *     or {@code from} is after {@code to}
   * @throws UnknownAccountException when the account does not exist
   */
  public UsageReport usage(AccountId account, Instant from, Instant to) {
    requirePeriod(account, from, to);
    Map<GenerationKind, long[]> sums = new EnumMap<>(GenerationKind.class);
    Map<GenerationKind, Set<HoldId>> holds = new EnumMap<>(GenerationKind.class);
    long[] other = {0};
    credits.forEachEntry(account, LedgerQuery.between(from, to, PAGE), e -> {
      boolean chargedAtNoCost = e.type() == EntryType.RELEASE && "succeeded".equals(e.metadata().get("outcome"));
      if (!e.type().charges() && !chargedAtNoCost) {
        return;
      }
      GenerationKind kind = kindOf(e.metadata());
      if (kind == null) {
        other[0] = Math.addExact(other[0], e.amount());
        return;
      }
      if (e.type().charges()) {
        long[] sum = sums.computeIfAbsent(kind, k -> new long[1]);
        sum[0] = Math.addExact(sum[0], e.amount());
      }
      holds.computeIfAbsent(kind, k -> new HashSet<>()).add(Objects.requireNonNull(e.hold()));
    });
    Map<GenerationKind, KindUsage> byKind = new EnumMap<>(GenerationKind.class);
    for (GenerationKind k : GenerationKind.values()) {
      long[] sum = sums.get(k);
      Set<HoldId> h = holds.get(k);
      byKind.put(k, new KindUsage(k, sum == null ? 0 : sum[0], h == null ? 0 : h.size()));
    }
    return new UsageReport(account, from, to, byKind, other[0]);
  }

  /**
   * Tells a hold's whole story: its state now and each ledger step with time, reason and key.
   *
   * @param account the account the hold belongs to
   * @param hold the hold
   * @return the story, or empty when the account has no such hold (another account's hold is
   *     indistinguishable from one that does not exist)
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a null argument
   */
  public Optional<HoldStory> story(AccountId account, HoldId hold) {
    if (account == null || hold == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "account and hold are required");
    }
    Optional<Hold> found = credits.findHold(account, hold);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Hold h = found.get();
    List<LedgerEntry> entries = new ArrayList<>(entriesAt(account, hold, h.createdAt()));
    Optional<Instant> ended = h.ended();
    if (ended.isPresent() && !ended.get().equals(h.createdAt())) {
      entries.addAll(entriesAt(account, hold, ended.get()));
    }
    List<HoldStory.Step> steps = new ArrayList<>();
    int i = 0;
    while (i < entries.size()) {
      LedgerEntry first = entries.get(i);
      long sum = 0;
      List<LotId> lots = new ArrayList<>();
      Map<String, String> meta = new java.util.TreeMap<>();
      LedgerEntry last = first;
      int j = i;
      while (j < entries.size() && sameStep(first, entries.get(j))) {
        last = entries.get(j);
        sum = Math.addExact(sum, last.amount());
        lots.add(last.lot());
        meta.putAll(last.metadata());
        j++;
      }
      steps.add(new HoldStory.Step(first.sequence(), last.sequence(), first.at(), first.type(), sum, lots, first.key(),
          meta.get("reason"), meta));
      i = j;
    }
    return Optional.of(new HoldStory(h, steps));
  }

  private static boolean sameStep(LedgerEntry a, LedgerEntry b) {
    return a.type() == b.type() && a.at().equals(b.at()) && Objects.equals(a.key(), b.key());
  }

  /** A generation seen starting in the period. */
  private static final class Start {
    final LedgerEntry first;
    final GenerationKind kind;
    long held;

    Start(LedgerEntry first, GenerationKind kind) {
      this.first = first;
      this.kind = kind;
    }
  }

  /** Its end happened after the period: find when from the hold, then read the entries at that time. */
  private GenerationRecord completeLater(AccountId account, HoldId id, Start s) {
    Optional<Hold> hold = credits.findHold(account, id);
    if (hold.isEmpty()) {
      throw new IllegalStateException("the ledger names hold " + id + " but the store does not know it");
    }
    Hold h = hold.get();
    Optional<Instant> ended = h.ended();
    if (h.state() == HoldState.ACTIVE || ended.isEmpty()) {
      return record(id, s, List.of());
    }
    List<LedgerEntry> end = new ArrayList<>();
    for (LedgerEntry e : entriesAt(account, id, ended.get())) {
      if (e.type() != EntryType.HOLD) {
        end.add(e);
      }
    }
    if (end.isEmpty() && h.state() == HoldState.EXPIRED) {
      // Overdue but not yet swept: the hold reads as expired; its entries come with the sweep.
      return build(id, s, GenerationOutcome.EXPIRED, 0, ended.get(), null);
    }
    return record(id, s, end);
  }

  private GenerationRecord record(HoldId id, Start s, List<LedgerEntry> end) {
    if (end.isEmpty()) {
      return build(id, s, GenerationOutcome.PENDING, 0, null, null);
    }
    long actual = 0;
    GenerationOutcome outcome = null;
    String reason = null;
    for (LedgerEntry e : end) {
      switch (e.type()) {
        case SETTLE, OVERAGE, DEBT_INCURRED -> {
          actual = Math.addExact(actual, e.amount());
          outcome = GenerationOutcome.SUCCEEDED;
        }
        case HOLD_EXPIRED -> outcome = outcome == null ? GenerationOutcome.EXPIRED : outcome;
        case RELEASE -> {
          if (outcome == null) {
            outcome = releaseOutcome(e.metadata().get("outcome"));
          }
          reason = e.metadata().get("reason");
        }
        default -> {
          // LOT_EXPIRED after a return: part of the same end, changes nothing about the outcome.
        }
      }
    }
    if (outcome == null) {
      outcome = GenerationOutcome.RELEASED;
    }
    return build(id, s, outcome, actual, end.get(0).at(), reason);
  }

  private static GenerationOutcome releaseOutcome(@Nullable String recorded) {
    if (recorded == null) {
      return GenerationOutcome.RELEASED;
    }
    return switch (recorded) {
      case "succeeded" -> GenerationOutcome.SUCCEEDED;
      case "failed" -> GenerationOutcome.FAILED;
      case "blocked" -> GenerationOutcome.BLOCKED;
      default -> GenerationOutcome.RELEASED;
    };
  }

  private static GenerationRecord build(HoldId id, Start s, GenerationOutcome outcome, long actual,
      @Nullable Instant endedAt, @Nullable String reason) {
    Map<String, String> meta = s.first.metadata();
    long estimate = parseLong(meta.get("estimate"), s.held);
    return new GenerationRecord(id, s.kind, meta.getOrDefault(LedgerEntry.MODEL, ""), estimate, s.held, actual, outcome,
        s.first.at(), endedAt, meta.getOrDefault("rateCard", ""), reason);
  }

  private static long parseLong(@Nullable String s, long fallback) {
    if (s == null) {
      return fallback;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static @Nullable GenerationKind kindOf(Map<String, String> metadata) {
    String kind = metadata.get(LedgerEntry.KIND);
    if (kind == null) {
      return null;
    }
    try {
      return GenerationKind.valueOf(kind);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The hold's entries written at one instant (the ledger is read by time, never whole). */
  private List<LedgerEntry> entriesAt(AccountId account, HoldId hold, Instant at) {
    List<LedgerEntry> out = new ArrayList<>();
    credits.forEachEntry(account, LedgerQuery.between(at, at.plusNanos(1), PAGE), e -> {
      if (hold.equals(e.hold())) {
        out.add(e);
      }
    });
    return out;
  }

  private static void requirePeriod(@Nullable AccountId account, @Nullable Instant from, @Nullable Instant to) {
    if (account == null || from == null || to == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "account, from and to are required");
    }
    if (from.isAfter(to)) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "from " + from + " is after to " + to);
    }
  }
}
