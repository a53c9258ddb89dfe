package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * Random sequences of balance operations (grants, holds, settles, releases) mixed with plan
 * operations (subscribe, cycle payments that are random, duplicated or out of order, failed
 * payments, packs, plan changes, cancellation, clock-driven renewal) and time jumps of minutes to
 * months, and the automatic top-up (enabled, disabled, its purchases paid or paid again). After every
 * step the ledger replays to the stored state, every granted credit is accounted for, nothing is
 * negative, no cycle was refilled twice, the top-ups charged in a month stay within the cap, and at
 * most one top-up waits for its payment.
 */
class PlanOperationsProperties {

  private static final Instant START = Instant.parse("2028-01-31T10:00:00Z");
  private static final List<String> PAID_TIERS = List.of("studio", "studio_pro", "studio_plus");
  private static final List<String> PACKS = List.of("pack_500", "pack_1500", "pack_5000");

  /** The system under test plus what the test remembers to aim its next steps. */
  static final class World {
    final PlansFixture f = new PlansFixture(START);
    final AccountId account = f.open("prop");
    final List<HoldId> holds = new ArrayList<>();
    final List<PackOrder> packOrders = new ArrayList<>();
    final List<BillingEvent> delivered = new ArrayList<>();
    /** The ledger's last sequence when each subscription started. */
    final List<Long> subscribedAt = new ArrayList<>();
    Instant anchor;
    int events;
    /** The automatic top-up's cap in force (the last one enabled), 0 before any. */
    long topUpCap;
    /** The top-up charges the gateway saw, each with when it appeared (orders are sent in the step that makes them). */
    final List<Instant> topUpChargedAt = new ArrayList<>();

    List<RecordingBillingGateway.PackCharge> topUpCharges() {
      return f.gateway.packCharges().stream().filter(c -> c.reference().startsWith("topup:")).toList();
    }

    /** Stamps the top-up charges that appeared since the last step, and checks each against the cap. */
    void noteTopUpCharges() {
      List<RecordingBillingGateway.PackCharge> charges = topUpCharges();
      for (int i = topUpChargedAt.size(); i < charges.size(); i++) {
        Instant now = f.clock.instant();
        topUpChargedAt.add(now);
        java.time.YearMonth month = java.time.YearMonth.from(now.atZone(ZoneOffset.UTC));
        long spent = 0;
        for (int j = 0; j <= i; j++) {
          if (java.time.YearMonth.from(topUpChargedAt.get(j).atZone(ZoneOffset.UTC)).equals(month)) {
            spent += charges.get(j).priceMinor();
          }
        }
        assertThat(spent).as("top-ups charged in %s, up to charge %d", month, i).isLessThanOrEqualTo(topUpCap);
      }
    }

    /** Runs a step that may be refused for one of the given reasons; any other failure fails the property. */
    void attempt(Runnable step, ErrorCode... allowed) {
      Set<ErrorCode> ok = allowed.length == 0 ? EnumSet.noneOf(ErrorCode.class) : EnumSet.of(allowed[0], allowed);
      try {
        step.run();
      } catch (CreditsException e) {
        assertThat(ok).as("unexpected refusal %s: %s", e.code(), e.getMessage()).contains(e.code());
      }
    }

    long currentCycle() {
      return anchor == null ? 0
          : ChronoUnit.MONTHS.between(anchor.atZone(ZoneOffset.UTC), f.clock.instant().atZone(ZoneOffset.UTC));
    }

    void deliver(BillingEvent event) {
      BillingOutcome outcome = f.plans.handle(event);
      assertThat(outcome.credits()).isNotNegative();
      delivered.add(event);
    }

    String eventId() {
      return "ev-" + (++events);
    }
  }

  @Property(tries = 200)
  @Label("conservation and non-negativity hold through plan operations")
  void conservationHoldsThroughPlanOperations(@ForAll("chains") ActionChain<World> chain) {
    chain.withInvariant("conserved", w -> w.f.assertConserved(w.account))
        .withInvariant("each cycle of a subscription refilled at most once, in increasing order", w -> {
          long previous = -1;
          int subscription = 0;
          for (LedgerEntry e : w.f.ledger(w.account)) {
            while (subscription < w.subscribedAt.size() && e.sequence() > w.subscribedAt.get(subscription)) {
              subscription++;
              previous = -1; // a new subscription counts its cycles from 0 again
            }
            if (e.type() == EntryType.GRANT && e.source() == LotSource.MONTHLY_ALLOWANCE
                && !e.metadata().containsKey("rollover")) {
              long cycle = Long.parseLong(e.metadata().get("cycle"));
              assertThat(cycle).as("refill at entry %d", e.sequence()).isGreaterThan(previous);
              previous = cycle;
            }
          }
        })
        .withInvariant("spent this month <= cap", World::noteTopUpCharges)
        .withInvariant("at most one top-up waiting for its payment", w -> {
          var plan = w.f.store.load(w.account, HoldSelection.allActive()).orElseThrow().account().plan();
          long waiting = plan == null ? 0 : plan.orders().stream().filter(o -> o.reference().startsWith("topup:")
              && o.orderedAt().plus(PlanService.PACK_ORDER_LIFETIME).isAfter(w.f.clock.instant())).count();
          assertThat(waiting).isLessThanOrEqualTo(1);
        })
        .withInvariant("each top-up reference charged once", w -> assertThat(w.topUpCharges().stream()
            .map(RecordingBillingGateway.PackCharge::reference)).doesNotHaveDuplicates())
        .withInvariant("no pack granted twice", w -> assertThat(w.f.ledger(w.account).stream()
            .filter(e -> e.source() == LotSource.PACK && e.type().name().equals("GRANT"))
            .map(e -> e.metadata().get("paymentReference"))).doesNotHaveDuplicates())
        .run();
  }

  @Provide
  Arbitrary<ActionChain<World>> chains() {
    return ActionChain.startWith(World::new)
        .withAction(2, grant())
        .withAction(4, hold())
        .withAction(3, settle())
        .withAction(2, release())
        .withAction(2, subscribe())
        .withAction(4, cyclePaid())
        .withAction(2, redeliver())
        .withAction(1, paymentFailed())
        .withAction(2, buyPack())
        .withAction(2, packPaid())
        .withAction(2, changePlan())
        .withAction(1, withdraw())
        .withAction(1, cancel())
        .withAction(2, renewDue())
        .withAction(2, enableTopUp())
        .withAction(1, Action.just("disable top-up", Transformer.mutate("disable top-up",
            w -> w.f.plans.disableAutoTopUp(w.account, w.f.key()))))
        .withAction(2, topUpPaid())
        .withAction(3, timeJump())
        .withAction(1, Action.just("sweep", Transformer.mutate("sweep", w -> w.f.credits.sweep())))
        .withMaxTransformations(40);
  }

  private static Action.Independent<World> enableTopUp() {
    return () -> Combinators.combine(Arbitraries.longs().between(1, 1_500), Arbitraries.of(PACKS),
        Arbitraries.integers().between(1, 4)).as((threshold, pack, packs) -> Transformer.mutate(
            "enable top-up below " + threshold + " buying " + pack + " capped at " + packs + " packs",
            w -> w.attempt(() -> {
              long cap = PackCatalog.defaults().require(pack).priceMinor() * packs;
              long before = w.topUpCap;
              w.topUpCap = cap; // set first: enabling below the threshold buys at once, under the new cap
              try {
                w.f.plans.enableAutoTopUp(w.account, new AutoTopUp(threshold, pack, cap), w.f.key());
              } catch (CreditsException e) {
                w.topUpCap = before;
                throw e;
              }
            }, ErrorCode.PACKS_REQUIRE_PAID_TIER)));
  }

  private static Action.Independent<World> topUpPaid() {
    return () -> Arbitraries.integers().between(0, 20).map(index -> Transformer.mutate("top-up paid #" + index, w -> {
      List<RecordingBillingGateway.PackCharge> charges = w.topUpCharges();
      if (!charges.isEmpty()) {
        RecordingBillingGateway.PackCharge c = charges.get(charges.size() - 1 - index % charges.size());
        w.attempt(() -> w.deliver(new BillingEvent.PackPaid(w.eventId(), w.account, c.packId(), c.reference(),
            c.priceMinor(), c.currency())), ErrorCode.PAYMENT_MISMATCH);
      }
    }));
  }

  private static Action.Independent<World> grant() {
    Arbitrary<Long> amounts = Arbitraries.longs().between(1, 600);
    Arbitrary<Integer> expiryDays = Arbitraries.integers().between(0, 60);
    return () -> Combinators.combine(amounts, expiryDays).as((amount, days) -> Transformer.mutate(
        "grant " + amount + (days == 0 ? "" : " expiring in " + days + "d"),
        w -> w.f.credits.grant(w.account, LotSource.PROMOTION, CreditAmount.of(amount),
            days == 0 ? null : w.f.clock.instant().plus(Duration.ofDays(days)), w.f.key())));
  }

  private static Action.Independent<World> hold() {
    return () -> Arbitraries.longs().between(1, 1_500).map(amount -> Transformer.mutate("hold " + amount,
        w -> w.attempt(() -> w.holds.add(w.f.credits.hold(HoldRequest.of(w.account, CreditAmount.of(amount), w.f.key()))
            .id()), ErrorCode.INSUFFICIENT_CREDITS)));
  }

  private static Action.Independent<World> settle() {
    return () -> Combinators.combine(Arbitraries.integers().between(0, 20), Arbitraries.integers().between(0, 100))
        .as((index, percent) -> Transformer.mutate("settle hold #" + index + " at " + percent + "%", w -> {
          if (w.holds.isEmpty()) {
            return;
          }
          HoldId id = w.holds.remove(index % w.holds.size());
          w.attempt(() -> {
            long amount = w.f.credits.findHold(w.account, id).orElseThrow().amount();
            long spent = amount * percent / 100;
            if (spent == 0) {
              // Spending nothing is a release (a settle of zero is refused as INVALID_AMOUNT).
              w.f.credits.release(w.account, id, "nothing spent", w.f.key());
            } else {
              w.f.credits.settle(w.account, id, CreditAmount.of(spent), w.f.key());
            }
          }, ErrorCode.HOLD_EXPIRED);
        }));
  }

  private static Action.Independent<World> release() {
    return () -> Arbitraries.integers().between(0, 20).map(index -> Transformer.mutate("release hold #" + index, w -> {
      if (w.holds.isEmpty()) {
        return;
      }
      HoldId id = w.holds.remove(index % w.holds.size());
      w.attempt(() -> w.f.credits.release(w.account, id, "failed", w.f.key()), ErrorCode.HOLD_EXPIRED);
    }));
  }

  private static Action.Independent<World> subscribe() {
    return () -> Arbitraries.of(PAID_TIERS).map(tier -> Transformer.mutate("subscribe " + tier,
        w -> w.attempt(() -> {
          long sequence = lastSequence(w);
          w.anchor = w.f.plans.subscribe(w.account, tier, w.f.key()).effectiveAt();
          w.subscribedAt.add(sequence);
        }, ErrorCode.ALREADY_SUBSCRIBED)));
  }

  private static long lastSequence(World w) {
    List<LedgerEntry> ledger = w.f.ledger(w.account);
    return ledger.isEmpty() ? 0 : ledger.get(ledger.size() - 1).sequence();
  }

  private static Action.Independent<World> cyclePaid() {
    return () -> Arbitraries.integers().between(-2, 2).map(offset -> Transformer.mutate("cycle paid (now " + offset + ")",
        w -> w.attempt(() -> w.deliver(new BillingEvent.CyclePaid(w.eventId(), w.account,
            Math.max(0, w.currentCycle() + offset))), ErrorCode.CYCLE_NOT_STARTED)));
  }

  private static Action.Independent<World> redeliver() {
    return () -> Arbitraries.integers().between(0, 50).map(index -> Transformer.mutate("redeliver event #" + index, w -> {
      if (!w.delivered.isEmpty()) {
        w.deliver(w.delivered.get(index % w.delivered.size()));
      }
    }));
  }

  private static Action.Independent<World> paymentFailed() {
    return () -> Arbitraries.integers().between(-1, 1).map(offset -> Transformer.mutate("payment failed (now " + offset + ")",
        w -> w.deliver(new BillingEvent.PaymentFailed(w.eventId(), w.account, Math.max(0, w.currentCycle() + offset)))));
  }

  private static Action.Independent<World> buyPack() {
    return () -> Arbitraries.of(PACKS).map(pack -> Transformer.mutate("buy " + pack, w -> w.attempt(() -> {
      PackOrder order = w.f.plans.buyPack(w.account, pack, w.f.key());
      w.packOrders.add(order);
    }, ErrorCode.PACKS_REQUIRE_PAID_TIER)));
  }

  private static Action.Independent<World> packPaid() {
    return () -> Arbitraries.integers().between(0, 20).map(index -> Transformer.mutate("pack paid #" + index, w -> {
      if (!w.packOrders.isEmpty()) {
        PackOrder order = w.packOrders.get(index % w.packOrders.size()); // kept: a later pick is a duplicate payment
        if (order.orderedAt().plus(PlanService.PACK_ORDER_LIFETIME).isAfter(w.f.clock.instant())) {
          w.deliver(BillingEvent.PackPaid.of(w.eventId(), order));
        } else { // lapsed: its payment is refused, unless it was paid before
          w.attempt(() -> w.deliver(BillingEvent.PackPaid.of(w.eventId(), order)), ErrorCode.PAYMENT_MISMATCH);
        }
      }
    }));
  }

  private static Action.Independent<World> changePlan() {
    return () -> Arbitraries.of(PAID_TIERS).map(tier -> Transformer.mutate("change plan to " + tier,
        w -> w.attempt(() -> w.f.plans.changePlan(w.account, tier, w.f.key()), ErrorCode.SUBSCRIPTION_REQUIRED,
            ErrorCode.INVALID_ARGUMENT)));
  }

  private static Action<World> withdraw() {
    return Action.just(Transformer.mutate("withdraw pending change",
        w -> w.attempt(() -> w.f.plans.withdrawPendingChange(w.account, w.f.key()), ErrorCode.SUBSCRIPTION_REQUIRED)));
  }

  private static Action<World> cancel() {
    return Action.just(Transformer.mutate("cancel",
        w -> w.attempt(() -> w.f.plans.cancel(w.account, w.f.key()), ErrorCode.SUBSCRIPTION_REQUIRED)));
  }

  private static Action<World> renewDue() {
    return Action.just(Transformer.mutate("renew due", w -> assertThat(w.f.plans.renewDue()).isBetween(0, 1)));
  }

  private static Action.Independent<World> timeJump() {
    Arbitrary<Duration> minutes = Arbitraries.longs().between(1, 180).map(Duration::ofMinutes);
    Arbitrary<Duration> days = Arbitraries.longs().between(1, 20).map(Duration::ofDays);
    Arbitrary<Duration> months = Arbitraries.longs().between(28, 95).map(Duration::ofDays);
    return () -> Arbitraries.oneOf(minutes, days, months)
        .map(d -> Transformer.mutate("advance " + d, w -> w.f.clock.advance(d)));
  }
}
