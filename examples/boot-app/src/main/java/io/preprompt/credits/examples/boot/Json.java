package io.preprompt.credits.examples.boot;

import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.gate.Estimate;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.GenerationRecord;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.plans.AccountOverview;
import io.preprompt.credits.plans.AutoTopUp;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanChange;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TopUpStatus;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * The JSON the app reads and writes, in one place: requests are checked when they become library
 * values, responses are built from the library's results. Kinds and outcomes are lower case
 * ({@code "video_clip"}, {@code "succeeded"}).
 */
final class Json {
  private Json() {}

  /** The kinds the app's generator makes: the default rate card's media. */
  static final List<GenerationKind> MEDIA_KINDS = List.of(GenerationKind.IMAGE, GenerationKind.VIDEO_CLIP,
      GenerationKind.VOICE_LINE, GenerationKind.MUSIC_CUE);

  /**
   * What to generate (or estimate). Absent numbers take the library's defaults: one variant, not a
   * reshot.
   *
   * @param kind {@code image}, {@code video_clip}, {@code voice_line} or {@code music_cue}
   * @param model the model, for example {@code standard}
   * @param resolution the resolution of an image or clip, for example {@code 720p}
   * @param seconds the length of a clip, voice line or music cue
   * @param variants how many variants
   * @param reshot whether it redoes an earlier generation (cheaper)
   * @param simulate only for {@code /generations}: what the fake generator does, see
   *     {@link FakeGenerator.Simulation}
   */
  record GenerationBody(@Nullable String kind, @Nullable String model, @Nullable String resolution,
      @Nullable Integer seconds, @Nullable Integer variants, @Nullable Boolean reshot, @Nullable String simulate) {

    GenerationRequest toRequest() {
      GenerationKind k = kindOf(kind);
      String m = model == null ? "" : model;
      int s = seconds == null ? 0 : seconds;
      boolean visual = k.equals(GenerationKind.IMAGE) || k.equals(GenerationKind.VIDEO_CLIP);
      if (k.equals(GenerationKind.IMAGE) && s != 0) {
        throw badRequest("an image takes no seconds");
      }
      if (visual && resolution == null) {
        throw badRequest("a " + name(k) + " needs a resolution");
      }
      if (!visual && resolution != null) {
        throw badRequest("a " + name(k) + " has no resolution");
      }
      GenerationRequest request = GenerationJobs.mediaRequest(k, m, resolution, s);
      if (variants != null) {
        request = request.withVariants(variants);
      }
      return Boolean.TRUE.equals(reshot) ? request.asReshot() : request;
    }

    private static GenerationKind kindOf(@Nullable String kind) {
      if (kind != null) {
        for (GenerationKind k : MEDIA_KINDS) {
          if (name(k).equals(kind.toLowerCase(Locale.ROOT))) {
            return k;
          }
        }
      }
      throw badRequest("kind must be one of image, video_clip, voice_line, music_cue; was " + kind);
    }
  }

  /**
   * The tier to subscribe to.
   *
   * @param tier the tier's id, for example {@code studio}
   */
  record SubscriptionBody(@Nullable String tier) {}

  /**
   * The automatic top-up to turn on.
   *
   * @param thresholdCredits buy when the available credits fall below this
   * @param pack the pack to buy, for example {@code pack_500}
   * @param monthlyCapMinor the most top-ups may cost in a calendar month, in the pack currency's
   *     minor unit (cents)
   */
  record AutoTopUpBody(@Nullable Long thresholdCredits, @Nullable String pack, @Nullable Long monthlyCapMinor) {
    AutoTopUp toSetting() {
      if (thresholdCredits == null || pack == null || monthlyCapMinor == null) {
        throw badRequest("thresholdCredits, pack and monthlyCapMinor are required");
      }
      return new AutoTopUp(thresholdCredits, pack, monthlyCapMinor);
    }
  }

  /**
   * The overage policy to set: what a generation that costs more than its hold does when the
   * available credits do not cover the difference.
   *
   * @param policy {@code refuse}, {@code take-available} or {@code allow-debt:<credits>}
   */
  record OveragePolicyBody(@Nullable String policy) {
    OveragePolicy toPolicy() {
      if (policy != null) {
        String p = policy.trim().toLowerCase(Locale.ROOT);
        if (p.equals("refuse")) {
          return OveragePolicy.refuse();
        }
        if (p.equals("take-available")) {
          return OveragePolicy.takeAvailable();
        }
        if (p.startsWith("allow-debt:")) {
          try {
            return OveragePolicy.allowDebt(Long.parseLong(p.substring("allow-debt:".length())));
          } catch (NumberFormatException e) {
            // answered below
          }
        }
      }
      throw badRequest("policy must be refuse, take-available or allow-debt:<credits>; was " + policy);
    }
  }

  /** An overage policy as the app writes it: {@code refuse}, {@code take-available}, {@code allow-debt:500}. */
  static String name(OveragePolicy policy) {
    return switch (policy.mode()) {
      case REFUSE -> "refuse";
      case TAKE_AVAILABLE -> "take-available";
      case ALLOW_DEBT -> "allow-debt:" + policy.maxDebt();
    };
  }

  /** The overage policy in force for an account. */
  record OveragePolicyView(String account, String policy) {}

  /**
   * Where the automatic top-up stands.
   *
   * @param enabled whether it is on
   * @param thresholdCredits its threshold, while on
   * @param pack its pack, while on
   * @param monthlyCapMinor its monthly cap, while on
   * @param armed whether the next fall below the threshold buys
   * @param monthStart the start of the current month
   * @param spentThisMonthMinor what top-ups cost this month
   * @param pendingPayment the payment reference of a top-up waiting for its payment
   * @param skippedAt when the monthly cap last stopped a top-up
   */
  record TopUpView(boolean enabled, @Nullable Long thresholdCredits, @Nullable String pack,
      @Nullable Long monthlyCapMinor, boolean armed, Instant monthStart, long spentThisMonthMinor,
      @Nullable String pendingPayment, @Nullable Instant skippedAt) {
    static TopUpView of(TopUpStatus t) {
      AutoTopUp s = t.setting();
      return new TopUpView(s != null, s == null ? null : s.thresholdCredits(), s == null ? null : s.packId(),
          s == null ? null : s.monthlyCapMinor(), t.armed(), t.monthStart(), t.spentThisMonthMinor(),
          t.pendingReference(), t.skippedAt());
    }
  }

  /** An account just opened (or opened before) and its email verified. */
  record AccountOpened(String account, boolean opened, long signupGrant, String detail, long available) {}

  /** What the user menu shows of a balance. */
  record Balance(String account, long available, long held, long freeCredits, long allowanceCredits,
      long packCredits, int activeHolds, Instant asOf, long debt) {
    static Balance of(BalanceView b) {
      return new Balance(b.account().value(), b.available(), b.held(), b.freeCredits(), b.allowanceCredits(),
          b.packCredits(), b.activeHolds(), b.asOf(), b.debt());
    }
  }

  /** One line of an itemized estimate, in millicredits before the one rounding up. */
  record Line(String label, String detail, long millicredits) {}

  /** An itemized estimate, and whether the balance covers it. */
  record EstimateView(String kind, String model, long credits, String rateCard, List<Line> lines, long available,
      boolean covered) {
    static EstimateView of(Estimate e, long available) {
      List<Line> lines = e.lines().stream().map(l -> new Line(l.label(), l.detail(), l.millicredits())).toList();
      return new EstimateView(name(e.request().kind()), e.request().model(), e.credits(), e.rateCardVersion(), lines,
          available, available >= e.credits());
    }
  }

  /** A generation the app ran: what was estimated and what it cost. */
  record Generation(String id, String hold, String outcome, long estimate, long charged, @Nullable String asset,
      @Nullable String reason, long available) {
    static Generation of(GenerationJobs.Job job, long available) {
      return new Generation(job.key(), job.hold(), job.outcome().name().toLowerCase(Locale.ROOT), job.estimate(),
          job.charged(), job.asset(), job.reason(), available);
    }
  }

  /** One generation of the cost history: estimate against charge. */
  record HistoryItem(String hold, String kind, String model, String outcome, long estimate, long charged,
      boolean chargeDiffers, Instant startedAt, @Nullable Instant endedAt, String rateCard, @Nullable String reason) {
    static HistoryItem of(GenerationRecord g) {
      return new HistoryItem(g.hold().value(), name(g.kind()), g.model(), g.outcome().name().toLowerCase(Locale.ROOT),
          g.estimate(), g.actual(), g.chargeDiffersFromEstimate(), g.startedAt(), g.endedAt(), g.rateCardVersion(),
          g.reason());
    }
  }

  /** The cost history of a period. */
  record History(String account, Instant from, Instant to, List<HistoryItem> generations) {}

  /** A tier as the upgrade screen shows it. */
  record TierView(String id, String name, boolean paid, long monthlyAllowance) {
    static TierView of(Tier t) {
      return new TierView(t.id(), t.name(), t.paid(), t.monthlyAllowance());
    }
  }

  /**
   * What the user menu shows: the tier, the balance by source, this cycle's use, the debt (the
   * available balance is net of it), the overage policy in force and the automatic top-up.
   */
  record Overview(String account, TierView tier, String status, long available, long held, long freeCredits,
      long packCredits, long allowanceRemaining, long allowanceTotal, long usedThisCycle, @Nullable Instant cycleStart,
      @Nullable Instant cycleEnd, @Nullable String pendingTier, @Nullable Instant cancelAt, boolean canBuyPacks,
      long debt, String overagePolicy, TopUpView topUp) {
    static Overview of(AccountOverview o) {
      return new Overview(o.balance().account().value(), TierView.of(o.tier()), o.status().name().toLowerCase(Locale.ROOT),
          o.balance().available(), o.balance().held(), o.freeCredits(), o.packCredits(), o.allowanceRemaining(),
          o.allowanceTotal(), o.usedThisCycle(), o.cycleStart(), o.cycleEnd(), o.pendingTier(), o.cancelAt(),
          o.canBuyPacks(), o.debt(), name(o.overagePolicy()), TopUpView.of(o.topUp()));
    }
  }

  /** A subscription or plan change. */
  record PlanChangeView(String from, String to, Instant effectiveAt, boolean immediate, long proratedCredits,
      @Nullable String pendingTier) {
    static PlanChangeView of(PlanChange c) {
      return new PlanChangeView(c.fromTier(), c.toTier(), c.effectiveAt(), c.immediate(), c.proratedCredits(),
          c.pendingTier());
    }
  }

  /** A pack ordered: the credits come when the billing system confirms the payment. */
  record PackOrderView(String account, String pack, long credits, long priceMinor, String currency,
      String paymentReference, Instant orderedAt) {
    static PackOrderView of(PackOrder o) {
      return new PackOrderView(o.account().value(), o.pack().id(), o.pack().credits(), o.pack().priceMinor(),
          o.pack().currency(), o.paymentReference(), o.orderedAt());
    }
  }

  /** What a billing event did. */
  record BillingOutcomeView(String effect, long credits, String detail) {
    static BillingOutcomeView of(BillingOutcome o) {
      return new BillingOutcomeView(o.effect().name().toLowerCase(Locale.ROOT), o.credits(), o.detail());
    }
  }

  static String name(GenerationKind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  static ResponseStatusException badRequest(String detail) {
    return new ResponseStatusException(HttpStatus.BAD_REQUEST, detail);
  }
}
