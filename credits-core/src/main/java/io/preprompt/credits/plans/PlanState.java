package io.preprompt.credits.plans;

import io.preprompt.credits.internal.FieldCodec;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An account's plan, as stored (encoded) in the account row's plan document.
 *
 * @param tier the tier whose entitlements apply
 * @param status subscription status
 * @param signupGranted whether the signup grant was ever made
 * @param anchor the billing anchor (start of cycle 0), or null without a subscription
 * @param paidCycle the last cycle refilled, -1 when none
 * @param cycleStartSequence the ledger sequence at the last refill (entries after it belong to the cycle)
 * @param allowanceTotal allowance and proration credits granted for the current cycle
 * @param pendingTier tier scheduled for the next cycle, or null
 * @param pendingAt when the pending tier applies, or null
 * @param cancelAt when the cancellation takes effect, or null
 */
record PlanState(String tier, SubscriptionStatus status, boolean signupGranted, @Nullable Instant anchor,
    long paidCycle, long cycleStartSequence, long allowanceTotal, @Nullable String pendingTier,
    @Nullable Instant pendingAt, @Nullable Instant cancelAt) {

  static PlanState initial(String freeTier) {
    return new PlanState(freeTier, SubscriptionStatus.NONE, false, null, -1, 0, 0, null, null, null);
  }

  static PlanState decode(@Nullable String encoded, String freeTier) {
    if (encoded == null || encoded.isEmpty()) {
      return initial(freeTier);
    }
    Map<String, String> f = FieldCodec.decode(encoded);
    return new PlanState(f.get("tier"), SubscriptionStatus.valueOf(f.get("status")),
        Boolean.parseBoolean(f.get("signup")), instant(f.get("anchor")), Long.parseLong(f.get("paidCycle")),
        Long.parseLong(f.get("cycleStartSeq")), Long.parseLong(f.get("allowanceTotal")),
        FieldCodec.nullable(f.get("pendingTier")), instant(f.get("pendingAt")), instant(f.get("cancelAt")));
  }

  private static @Nullable Instant instant(String encoded) {
    String v = FieldCodec.nullable(encoded);
    return v == null ? null : Instant.parse(v);
  }

  String encode() {
    return FieldCodec.fields().add("tier", tier).add("status", status).add("signup", signupGranted)
        .addNullable("anchor", anchor).add("paidCycle", paidCycle).add("cycleStartSeq", cycleStartSequence)
        .add("allowanceTotal", allowanceTotal).addNullable("pendingTier", pendingTier)
        .addNullable("pendingAt", pendingAt).addNullable("cancelAt", cancelAt).encode();
  }

  /** Returns the state as it stands at {@code now}: a due cancellation or scheduled change applied. */
  PlanState effective(Instant now, String freeTier) {
    PlanState s = this;
    if (s.pendingTier != null && s.pendingAt != null && !now.isBefore(s.pendingAt)
        && (s.cancelAt == null || s.pendingAt.isBefore(s.cancelAt))) {
      s = new PlanState(s.pendingTier, s.status, s.signupGranted, s.anchor, s.paidCycle, s.cycleStartSequence,
          s.allowanceTotal, null, null, s.cancelAt);
    }
    if (s.cancelAt != null && !now.isBefore(s.cancelAt) && s.status != SubscriptionStatus.CANCELLED) {
      s = new PlanState(freeTier, SubscriptionStatus.CANCELLED, s.signupGranted, s.anchor, s.paidCycle,
          s.cycleStartSequence, s.allowanceTotal, null, null, s.cancelAt);
    }
    return s;
  }

  boolean subscribed() {
    return status == SubscriptionStatus.ACTIVE || status == SubscriptionStatus.PAST_DUE;
  }

  /** Cycle {@code n} starts {@code n} calendar months after the anchor, clamped at month end. */
  static Instant cycleStart(Instant anchor, long n, ZoneId zone) {
    return anchor.atZone(zone).plusMonths(n).toInstant();
  }

  Instant cycleStart(long n, ZoneId zone) {
    if (anchor == null) {
      throw new IllegalStateException("no billing anchor");
    }
    return cycleStart(anchor, n, zone);
  }

  /** Returns the cycle containing {@code t} (the largest n whose start is at or before t), or -1 before the anchor. */
  long cycleAt(Instant t, ZoneId zone) {
    if (anchor == null || t.isBefore(anchor)) {
      return -1;
    }
    ZonedDateTime a = anchor.atZone(zone);
    long n = Math.max(0, ChronoUnit.MONTHS.between(a, t.atZone(zone)) - 1);
    while (!cycleStart(anchor, n + 1, zone).isAfter(t)) {
      n++;
    }
    return n;
  }

  /** When the plan next needs attention: the next refill (when active), a scheduled change, a cancellation. */
  @Nullable Instant dueAt(ZoneId zone) {
    Instant due = null;
    if (status == SubscriptionStatus.ACTIVE && anchor != null) {
      due = cycleStart(paidCycle + 1, zone);
    }
    due = min(due, pendingAt);
    if (status != SubscriptionStatus.CANCELLED) {
      due = min(due, cancelAt);
    }
    return due;
  }

  private static @Nullable Instant min(@Nullable Instant a, @Nullable Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }

  PlanState with(String newTier, SubscriptionStatus newStatus) {
    return new PlanState(newTier, newStatus, signupGranted, anchor, paidCycle, cycleStartSequence, allowanceTotal,
        pendingTier, pendingAt, cancelAt);
  }

  PlanState withSignupGranted() {
    return new PlanState(tier, status, true, anchor, paidCycle, cycleStartSequence, allowanceTotal, pendingTier,
        pendingAt, cancelAt);
  }

  PlanState withPending(@Nullable String newPendingTier, @Nullable Instant at) {
    return new PlanState(tier, status, signupGranted, anchor, paidCycle, cycleStartSequence, allowanceTotal,
        newPendingTier, at, cancelAt);
  }

  PlanState withCancelAt(@Nullable Instant at) {
    return new PlanState(tier, status, signupGranted, anchor, paidCycle, cycleStartSequence, allowanceTotal, null,
        null, at);
  }

  PlanState withAllowanceTotal(long total) {
    return new PlanState(tier, status, signupGranted, anchor, paidCycle, cycleStartSequence, total, pendingTier,
        pendingAt, cancelAt);
  }

  PlanState subscribed(String newTier, Instant newAnchor) {
    return new PlanState(newTier, SubscriptionStatus.ACTIVE, signupGranted, newAnchor, -1, cycleStartSequence, 0,
        null, null, null);
  }

  PlanState refilled(long cycle, long startSequence, long total) {
    return new PlanState(tier, SubscriptionStatus.ACTIVE, signupGranted, anchor, cycle, startSequence, total,
        pendingTier, pendingAt, cancelAt);
  }
}
