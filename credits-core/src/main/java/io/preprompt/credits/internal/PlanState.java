package io.preprompt.credits.internal;

import io.preprompt.credits.plans.SubscriptionStatus;
import io.preprompt.credits.spi.PlanRecord;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An account's plan, as stored on the account row ({@link PlanRecord}), with the rules that change it.
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
 * @param subscription the number of the current (or last) subscription, counted from 1; 0 before the first
 * @param requests how many references the account's pack orders, plan changes and cancellations took
 * @param charges charge requests recorded but not yet accepted by the gateway (the durable intent)
 * @param orders pack orders waiting for their payment
 * @param renewalFailures renewals that failed in a row (reset by a successful one)
 * @param renewalRetryAt when a failed renewal may be tried again, or null
 * @param topUp the automatic top-up's setting and state, or null when it was never enabled
 */
record PlanState(String tier, SubscriptionStatus status, boolean signupGranted, @Nullable Instant anchor,
    long paidCycle, long cycleStartSequence, long allowanceTotal, @Nullable String pendingTier,
    @Nullable Instant pendingAt, @Nullable Instant cancelAt, long subscription, long requests,
    List<ChargeIntent> charges, List<OpenOrder> orders, int renewalFailures, @Nullable Instant renewalRetryAt,
    PlanRecord.@Nullable TopUp topUp) {

  /**
   * A subscription charge the library decided to ask for, kept until the gateway accepts it, so that a
   * failed or lost request is asked again (with the same reference) and never forgotten.
   *
   * @param subscription the subscription's number
   * @param cycle the cycle
   * @param tier the tier charged for
   * @param start when the cycle starts
   * @param end when it ends
   * @param reference the charge's reference, unique per account, subscription and cycle
   * @param attempts how many times an instance took it to send it
   * @param claimed whether an instance has taken it and not yet said how the request went
   * @param notBefore when it may be taken (again): now for a new intent, the end of the claim for a
   *     taken one, the end of the back-off after a failed request
   */
  record ChargeIntent(long subscription, long cycle, String tier, Instant start, Instant end, String reference,
      int attempts, boolean claimed, Instant notBefore) {

    ChargeIntent claim(Instant until) {
      return new ChargeIntent(subscription, cycle, tier, start, end, reference, attempts + 1, true, until);
    }

    ChargeIntent failed(Instant retryAt) {
      return new ChargeIntent(subscription, cycle, tier, start, end, reference, attempts, false, retryAt);
    }

    PlanRecord.Charge toRecord() {
      return new PlanRecord.Charge(subscription, cycle, tier, start, end, reference, attempts, claimed, notBefore);
    }

    static ChargeIntent of(PlanRecord.Charge c) {
      return new ChargeIntent(c.subscription(), c.cycle(), c.tier(), c.start(), c.end(), c.reference(), c.attempts(),
          c.claimed(), c.notBefore());
    }
  }

  /**
   * A pack order waiting for its payment: a payment confirmation must match it exactly.
   *
   * @param reference the payment reference the gateway was given
   * @param packId the pack ordered
   * @param priceMinor its price when ordered, in minor units
   * @param currency the price's currency
   * @param orderedAt when it was ordered
   */
  record OpenOrder(String reference, String packId, long priceMinor, String currency, Instant orderedAt) {
    PlanRecord.Order toRecord() {
      return new PlanRecord.Order(reference, packId, priceMinor, currency, orderedAt);
    }

    static OpenOrder of(PlanRecord.Order o) {
      return new OpenOrder(o.reference(), o.packId(), o.priceMinor(), o.currency(), o.orderedAt());
    }
  }

  PlanState {
    charges = List.copyOf(charges);
    orders = List.copyOf(orders);
  }

  static PlanState initial(String freeTier) {
    return new PlanState(freeTier, SubscriptionStatus.NONE, false, null, -1, 0, 0, null, null, null, 0, 0,
        List.of(), List.of(), 0, null, null);
  }

  static PlanState of(@Nullable PlanRecord stored, String freeTier) {
    if (stored == null) {
      return initial(freeTier);
    }
    List<ChargeIntent> charges = new ArrayList<>(stored.charges().size());
    for (PlanRecord.Charge c : stored.charges()) {
      charges.add(ChargeIntent.of(c));
    }
    List<OpenOrder> orders = new ArrayList<>(stored.orders().size());
    for (PlanRecord.Order o : stored.orders()) {
      orders.add(OpenOrder.of(o));
    }
    return new PlanState(stored.tier(), SubscriptionStatus.valueOf(stored.status()), stored.signupGranted(),
        stored.anchor(), stored.paidCycle(), stored.cycleStartSequence(), stored.allowanceTotal(), stored.pendingTier(),
        stored.pendingAt(), stored.cancelAt(), stored.subscription(), stored.requests(), charges, orders,
        stored.renewalFailures(), stored.renewalRetryAt(), stored.topUp());
  }

  PlanRecord toRecord() {
    List<PlanRecord.Charge> c = new ArrayList<>(charges.size());
    charges.forEach(i -> c.add(i.toRecord()));
    List<PlanRecord.Order> o = new ArrayList<>(orders.size());
    orders.forEach(i -> o.add(i.toRecord()));
    return new PlanRecord(tier, status.name(), signupGranted, anchor, paidCycle, cycleStartSequence, allowanceTotal,
        pendingTier, pendingAt, cancelAt, subscription, requests, c, o, renewalFailures, renewalRetryAt, topUp);
  }

  /** A mutable copy, for the changes below. */
  private Draft draft() {
    return new Draft(this);
  }

  /** The fields of a state under change. */
  private static final class Draft {
    String tier;
    SubscriptionStatus status;
    boolean signupGranted;
    @Nullable Instant anchor;
    long paidCycle;
    long cycleStartSequence;
    long allowanceTotal;
    @Nullable String pendingTier;
    @Nullable Instant pendingAt;
    @Nullable Instant cancelAt;
    long subscription;
    long requests;
    List<ChargeIntent> charges;
    List<OpenOrder> orders;
    int renewalFailures;
    @Nullable Instant renewalRetryAt;
    PlanRecord.@Nullable TopUp topUp;

    Draft(PlanState s) {
      tier = s.tier;
      status = s.status;
      signupGranted = s.signupGranted;
      anchor = s.anchor;
      paidCycle = s.paidCycle;
      cycleStartSequence = s.cycleStartSequence;
      allowanceTotal = s.allowanceTotal;
      pendingTier = s.pendingTier;
      pendingAt = s.pendingAt;
      cancelAt = s.cancelAt;
      subscription = s.subscription;
      requests = s.requests;
      charges = s.charges;
      orders = s.orders;
      renewalFailures = s.renewalFailures;
      renewalRetryAt = s.renewalRetryAt;
      topUp = s.topUp;
    }

    PlanState build() {
      return new PlanState(tier, status, signupGranted, anchor, paidCycle, cycleStartSequence, allowanceTotal,
          pendingTier, pendingAt, cancelAt, subscription, requests, charges, orders, renewalFailures,
          renewalRetryAt, topUp);
    }
  }

  /** Returns the state as it stands at {@code now}: a due cancellation or scheduled change applied. */
  PlanState effective(Instant now, String freeTier) {
    Draft d = draft();
    boolean changed = false;
    if (d.pendingTier != null && d.pendingAt != null && !now.isBefore(d.pendingAt)
        && (d.cancelAt == null || d.pendingAt.isBefore(d.cancelAt))) {
      d.tier = d.pendingTier;
      d.pendingTier = null;
      d.pendingAt = null;
      changed = true;
    }
    if (d.cancelAt != null && !now.isBefore(d.cancelAt) && d.status != SubscriptionStatus.CANCELLED) {
      d.tier = freeTier;
      d.status = SubscriptionStatus.CANCELLED;
      d.pendingTier = null;
      d.pendingAt = null;
      d.renewalFailures = 0;
      d.renewalRetryAt = null;
      changed = true;
    }
    return changed ? d.build() : this;
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

  /**
   * When the plan next needs attention: the next refill (when active; not before a failed renewal's
   * retry time), a scheduled change, a cancellation, a charge request (a top-up's included) waiting to
   * be sent.
   */
  @Nullable Instant dueAt(ZoneId zone) {
    Instant due = null;
    if (status == SubscriptionStatus.ACTIVE && anchor != null) {
      due = cycleStart(paidCycle + 1, zone);
      if (renewalRetryAt != null && renewalRetryAt.isAfter(due)) {
        due = renewalRetryAt;
      }
    }
    due = min(due, pendingAt);
    if (status != SubscriptionStatus.CANCELLED) {
      due = min(due, cancelAt);
    }
    for (ChargeIntent c : charges) {
      due = min(due, c.notBefore());
    }
    if (topUp != null) {
      due = min(due, topUp.sendAt());
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
    Draft d = draft();
    d.tier = newTier;
    d.status = newStatus;
    return d.build();
  }

  PlanState withSignupGranted() {
    Draft d = draft();
    d.signupGranted = true;
    return d.build();
  }

  PlanState withPending(@Nullable String newPendingTier, @Nullable Instant at) {
    Draft d = draft();
    d.pendingTier = newPendingTier;
    d.pendingAt = at;
    return d.build();
  }

  PlanState withCancelAt(@Nullable Instant at) {
    Draft d = draft();
    d.pendingTier = null;
    d.pendingAt = null;
    d.cancelAt = at;
    return d.build();
  }

  PlanState withAllowanceTotal(long total) {
    Draft d = draft();
    d.allowanceTotal = total;
    return d.build();
  }

  /** A new subscription: its number, its anchor, and the request to charge its first cycle. */
  PlanState subscribed(String newTier, Instant newAnchor, ChargeIntent firstCharge) {
    return subscribed(newTier, newAnchor, firstCharge.subscription()).withCharge(firstCharge);
  }

  /** A new subscription the billing system started itself: nothing to ask it for. */
  PlanState subscribed(String newTier, Instant newAnchor, long number) {
    Draft d = draft();
    d.tier = newTier;
    d.status = SubscriptionStatus.ACTIVE;
    d.anchor = newAnchor;
    d.paidCycle = -1;
    d.allowanceTotal = 0;
    d.pendingTier = null;
    d.pendingAt = null;
    d.cancelAt = null;
    d.subscription = number;
    d.renewalFailures = 0;
    d.renewalRetryAt = null;
    return d.build();
  }

  PlanState refilled(long cycle, long startSequence, long total) {
    Draft d = draft();
    d.status = SubscriptionStatus.ACTIVE;
    d.paidCycle = cycle;
    d.cycleStartSequence = startSequence;
    d.allowanceTotal = total;
    d.renewalFailures = 0;
    d.renewalRetryAt = null;
    return d.build();
  }

  /** Adds a charge request to send. */
  PlanState withCharge(ChargeIntent request) {
    List<ChargeIntent> charges = new ArrayList<>(charges());
    charges.add(request);
    return withCharges(charges);
  }

  PlanState withCharges(List<ChargeIntent> newCharges) {
    Draft d = draft();
    d.charges = newCharges;
    return d.build();
  }

  /** Takes the next request number, for a reference. */
  PlanState withRequests(long n) {
    Draft d = draft();
    d.requests = n;
    return d.build();
  }

  PlanState withOrders(List<OpenOrder> newOrders) {
    Draft d = draft();
    d.orders = newOrders;
    return d.build();
  }

  PlanState renewalFailed(Instant retryAt) {
    Draft d = draft();
    d.renewalFailures = d.renewalFailures + 1;
    d.renewalRetryAt = retryAt;
    return d.build();
  }

  PlanState withTopUp(PlanRecord.@Nullable TopUp newTopUp) {
    Draft d = draft();
    d.topUp = newTopUp;
    return d.build();
  }
}
