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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
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
 *
 * <p>Holds and settles record the quantities a generation was priced by: the duration as
 * {@code seconds}, other quantities as {@code q.<dimension>} ({@code q.input_tokens=1200}). A settle
 * from the actual usage overrides the requested ones and is marked {@code usage=actual}.
 */
public final class GenerationHistory {
  /** Page size used while scanning a period. */
  static final int PAGE = 1_000;

  /** The settle metadata key marking quantities of the actual usage. */
  static final String USAGE = "usage";

  private final LedgerReader credits;
  private final List<GenerationKind> kinds;

  /**
   * Creates a reader whose usage reports list the kinds of the {@linkplain RateCard#defaults() default
   * card}.
   *
   * @param credits the credit service whose ledger to read
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when it is null
   */
  public GenerationHistory(LedgerReader credits) {
    this(credits, RateCard.defaults());
  }

  /**
   * Creates a reader whose usage reports list the kinds of this card, with zero when unused.
   *
   * @param credits the credit service whose ledger to read
   * @param card the rate card whose kinds every report lists
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when either is null
   */
  public GenerationHistory(LedgerReader credits, RateCard card) {
    if (credits == null || card == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "a generation history needs a credit service and a rate card");
    }
    this.credits = credits;
    this.kinds = card.kinds();
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
   * Sums what each kind, and each model of each kind, was charged in {@code [from, to)} (the
   * settlements made in the period, whenever the generation started), with the quantities charged
   * for: the actual ones when the generation was settled from its usage, else the requested ones.
   *
   * @param account the account
   * @param from inclusive start
   * @param to exclusive end
   * @return the usage, every kind of the card present
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} when a bound is missing
   *     or {@code from} is after {@code to}
   * @throws UnknownAccountException when the account does not exist
   */
  public UsageReport usage(AccountId account, Instant from, Instant to) {
    requirePeriod(account, from, to);
    Map<String, ModelSum> byModel = new LinkedHashMap<>();
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
      String model = e.metadata().getOrDefault(LedgerEntry.MODEL, "");
      ModelSum sum = byModel.computeIfAbsent(kind.name() + "/" + model, k -> new ModelSum(kind, model));
      if (e.type().charges()) {
        sum.credits = Math.addExact(sum.credits, e.amount());
      }
      // A settle writes one entry per lot, each with the same description: count a hold's quantities once.
      sum.holds.putIfAbsent(Objects.requireNonNull(e.hold()), quantitiesOf(e.metadata()));
    });
    Map<GenerationKind, long[]> kindSums = new LinkedHashMap<>();
    for (GenerationKind k : kinds) {
      kindSums.put(k, new long[2]);
    }
    List<ModelUsage> models = new ArrayList<>(byModel.size());
    for (ModelSum m : byModel.values()) {
      Map<PriceDimension, Long> quantities = new TreeMap<>();
      for (Map<PriceDimension, Long> q : m.holds.values()) {
        q.forEach((d, n) -> quantities.merge(d, n, GenerationHistory::saturatedAdd));
      }
      models.add(new ModelUsage(m.kind, m.model, m.credits, m.holds.size(), quantities));
      long[] k = kindSums.computeIfAbsent(m.kind, x -> new long[2]);
      k[0] = Math.addExact(k[0], m.credits);
      k[1] += m.holds.size();
    }
    models.sort(Comparator.comparing((ModelUsage u) -> u.kind().name()).thenComparing(ModelUsage::model));
    Map<GenerationKind, KindUsage> byKind = new LinkedHashMap<>();
    kindSums.forEach((k, v) -> byKind.put(k, new KindUsage(k, v[0], v[1])));
    return new UsageReport(account, from, to, byKind, models, other[0]);
  }

  /** One model's charges in a period. */
  private static final class ModelSum {
    final GenerationKind kind;
    final String model;
    long credits;
    /** Per hold charged: the quantities recorded on its settle. */
    final Map<HoldId, Map<PriceDimension, Long>> holds = new LinkedHashMap<>();

    ModelSum(GenerationKind kind, String model) {
      this.kind = kind;
      this.model = model;
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  /**
   * Reads the quantities a generation's entry records: {@code seconds} and each {@code q.<dimension>};
   * malformed ones are skipped (the ledger is read, never refused).
   */
  static Map<PriceDimension, Long> quantitiesOf(Map<String, String> metadata) {
    Map<PriceDimension, Long> out = new TreeMap<>();
    long seconds = parseLong(metadata.get(LedgerEntry.SECONDS), 0);
    if (seconds > 0) {
      out.put(PriceDimension.SECONDS, seconds);
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (!e.getKey().startsWith(LedgerEntry.QUANTITY_PREFIX)) {
        continue;
      }
      Optional<PriceDimension> dimension = PriceDimension.parse(e.getKey().substring(LedgerEntry.QUANTITY_PREFIX.length()));
      long quantity = parseLong(e.getValue(), 0);
      if (dimension.isPresent()) {
        if (quantity > 0) {
          out.put(dimension.get(), quantity);
        } else {
          out.remove(dimension.get());
        }
      }
    }
    return out;
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
      return build(id, s, GenerationOutcome.EXPIRED, 0, ended.get(), null, null);
    }
    return record(id, s, end);
  }

  private GenerationRecord record(HoldId id, Start s, List<LedgerEntry> end) {
    if (end.isEmpty()) {
      return build(id, s, GenerationOutcome.PENDING, 0, null, null, null);
    }
    long actual = 0;
    GenerationOutcome outcome = null;
    String reason = null;
    Map<String, String> actualUsage = null;
    for (LedgerEntry e : end) {
      if ("actual".equals(e.metadata().get(USAGE))) {
        actualUsage = e.metadata();
      }
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
    return build(id, s, outcome, actual, end.get(0).at(), reason, actualUsage);
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
      @Nullable Instant endedAt, @Nullable String reason, @Nullable Map<String, String> actualUsage) {
    Map<String, String> meta = s.first.metadata();
    long estimate = parseLong(meta.get("estimate"), s.held);
    return new GenerationRecord(id, s.kind, meta.getOrDefault(LedgerEntry.MODEL, ""), estimate, s.held, actual, outcome,
        s.first.at(), endedAt, meta.getOrDefault("rateCard", ""), reason, quantitiesOf(meta),
        actualUsage == null ? Map.of() : quantitiesOf(actualUsage));
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
    return GenerationKind.parse(metadata.get(LedgerEntry.KIND)).orElse(null);
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
