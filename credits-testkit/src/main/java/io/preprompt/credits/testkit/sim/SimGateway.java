package io.preprompt.credits.testkit.sim;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.spi.BillingGateway;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The simulation's billing gateway: records every request it accepts in a
 * {@link RecordingBillingGateway}, and injects the gateway faults armed for the current thread's
 * operation ({@link FaultKind#GATEWAY_REFUSES}, {@link FaultKind#GATEWAY_SLOW}) into the first request
 * the operation makes. For the checker it also keeps, per accepted subscription charge, whether the
 * request overran a charge claim and which operation (thread) made it.
 */
final class SimGateway implements BillingGateway {
  /** How long a slow request takes on the simulation's clock: longer than a charge claim lasts. */
  static final Duration SLOW = Duration.ofMinutes(20);

  /** What a refused request throws. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** A subscription charge the gateway accepted. */
  record Charge(RecordingBillingGateway.SubscriptionCharge request, Instant askedAt, Instant answeredAt, long serial) {}

  private static final class Armed {
    @Nullable FaultKind kind;
    boolean fired;
    final List<Charge> accepted = new ArrayList<>();
  }

  private final RecordingBillingGateway recorder;
  private final MutableClock clock;
  private final ThreadLocal<Armed> armed = ThreadLocal.withInitial(Armed::new);
  private final Map<FaultKind, AtomicLong> injected = new EnumMap<>(FaultKind.class);
  private final List<Charge> charges = new ArrayList<>();
  private final AtomicLong serials = new AtomicLong();

  SimGateway(RecordingBillingGateway recorder, MutableClock clock) {
    this.recorder = recorder;
    this.clock = clock;
    injected.put(FaultKind.GATEWAY_REFUSES, new AtomicLong());
    injected.put(FaultKind.GATEWAY_SLOW, new AtomicLong());
  }

  /** Arms a fault (only the gateway kinds act here) for the current thread's operation. */
  void arm(@Nullable FaultKind kind) {
    Armed a = armed.get();
    a.kind = kind == FaultKind.GATEWAY_REFUSES || kind == FaultKind.GATEWAY_SLOW ? kind : null;
    a.fired = false;
    a.accepted.clear();
  }

  /** Ends the current thread's operation and returns the charges it got accepted. */
  List<Charge> disarm() {
    Armed a = armed.get();
    List<Charge> out = List.copyOf(a.accepted);
    a.kind = null;
    a.fired = false;
    a.accepted.clear();
    return out;
  }

  Map<FaultKind, Long> injected() {
    Map<FaultKind, Long> out = new EnumMap<>(FaultKind.class);
    injected.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  synchronized List<Charge> charges() {
    return List.copyOf(charges);
  }

  /** Applies the armed fault to this request, once per operation. */
  private void fault(String what) {
    Armed a = armed.get();
    if (a.kind == null || a.fired) {
      return;
    }
    a.fired = true;
    injected.get(a.kind).incrementAndGet();
    if (a.kind == FaultKind.GATEWAY_REFUSES) {
      throw new Refused("injected fault: the billing system refused " + what);
    }
    clock.advance(SLOW);
  }

  @Override
  public void chargeSubscription(AccountId account, String tierId, long cycle, Instant cycleStart, Instant cycleEnd,
      String reference) {
    Instant asked = clock.instant();
    fault("charge " + reference);
    recorder.chargeSubscription(account, tierId, cycle, cycleStart, cycleEnd, reference);
    Charge charge = new Charge(new RecordingBillingGateway.SubscriptionCharge(account, tierId, cycle, cycleStart,
        cycleEnd, reference), asked, clock.instant(), serials.incrementAndGet());
    synchronized (this) {
      charges.add(charge);
    }
    armed.get().accepted.add(charge);
  }

  @Override
  public void chargePack(AccountId account, String packId, long priceMinor, String currency, String reference) {
    fault("pack charge " + reference);
    recorder.chargePack(account, packId, priceMinor, currency, reference);
  }

  @Override
  public void changePlan(AccountId account, String fromTier, String toTier, Instant effectiveAt, String reference) {
    fault("plan change " + reference);
    recorder.changePlan(account, fromTier, toTier, effectiveAt, reference);
  }

  @Override
  public void cancelSubscription(AccountId account, Instant effectiveAt, String reference) {
    fault("cancellation " + reference);
    recorder.cancelSubscription(account, effectiveAt, reference);
  }
}
