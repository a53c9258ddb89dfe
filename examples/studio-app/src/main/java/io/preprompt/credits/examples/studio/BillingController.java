package io.preprompt.credits.examples.studio;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.plans.AccountOverview;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanChange;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.SubscriptionStatus;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TierCatalog;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The billing page: subscribe, upgrade, downgrade, buy a pack, cancel. Each form carries a key made
 * when the page was drawn, and each action keys its library call with it: a form sent twice (a
 * double click, a reload that resubmits) subscribes or orders once.
 */
@Controller
class BillingController {
  private final PlanService plans;
  private final SimulatedPayments payments;
  private final Layout layout;
  private final StudioProperties properties;
  private final GenerationGate gate;

  BillingController(PlanService plans, SimulatedPayments payments, Layout layout, StudioProperties properties,
      GenerationGate gate) {
    this.gate = gate;
    this.plans = plans;
    this.payments = payments;
    this.layout = layout;
    this.properties = properties;
  }

  /**
   * A paid tier on the billing page.
   *
   * @param tier the tier
   * @param action what its button does: {@code subscribe}, {@code upgrade}, {@code downgrade},
   *     {@code keep} (withdraw a scheduled change), {@code current} or {@code none} (no button)
   */
  record TierRow(Views.TierView tier, String action) {}

  @GetMapping("/billing")
  String billing(Model model, HttpServletRequest request) {
    AccountId account = SignedIn.require(request);
    AccountOverview overview = layout.fill(model, account, "billing");
    boolean subscribed = overview.status() == SubscriptionStatus.ACTIVE || overview.status() == SubscriptionStatus.PAST_DUE;
    // Upgrade or downgrade is the catalog's order, as the library decides it (TierCatalog.rank).
    TierCatalog catalog = plans.tiers();
    int current = catalog.rank(overview.tier());
    List<TierRow> rows = new ArrayList<>();
    for (Tier t : catalog.paidTiers()) {
      int rank = catalog.rank(t);
      String action;
      if (!subscribed) {
        action = "subscribe";
      } else if (overview.cancelAt() != null) {
        action = rank == current ? "current" : "none";  // cancelling: nothing to change until it ends
      } else if (rank == current) {
        action = overview.pendingTier() == null ? "current" : "keep";
      } else {
        action = rank > current ? "upgrade" : "downgrade";
      }
      rows.add(new TierRow(Views.TierView.of(t, properties.tierPrices(), properties.currency(), false,
          rank == current, gate.rateCard()), action));
    }
    model.addAttribute("overview", overview);
    model.addAttribute("subscribed", subscribed);
    model.addAttribute("tiers", rows);
    model.addAttribute("pendingTierName", overview.pendingTier() == null ? null
        : plans.tiers().find(overview.pendingTier()).map(Tier::name).orElse(overview.pendingTier()));
    model.addAttribute("packs", overview.canBuyPacks() ? plans.packs().packs().stream()
        .filter(p -> p.availableTo(overview.tier().id()))
        .map(p -> new Views.PackView(p.id(), p.credits(), Views.money(p.priceMinor(), p.currency()), false))
        .toList() : List.of());
    model.addAttribute("payments", payments.of(account));
    model.addAttribute("key", "bill-" + UUID.randomUUID());
    return "billing";
  }

  @PostMapping("/billing/subscribe")
  String subscribe(@RequestParam String tier, @RequestParam String key, HttpServletRequest request,
      RedirectAttributes redirect) {
    AccountId account = SignedIn.require(request);
    return act(redirect, () -> {
      PlanChange c = plans.subscribe(account, tier, IdempotencyKey.of(key + ":subscribe:" + tier));
      return "Subscribed to " + name(c.toTier()) + ". Your monthly credits arrive as soon as the payment goes through.";
    });
  }

  @PostMapping("/billing/change")
  String change(@RequestParam String tier, @RequestParam String key, HttpServletRequest request,
      RedirectAttributes redirect) {
    AccountId account = SignedIn.require(request);
    return act(redirect, () -> {
      PlanChange c = plans.changePlan(account, tier, IdempotencyKey.of(key + ":change:" + tier));
      return c.immediate()
          ? "Upgraded to " + name(c.toTier()) + " now" + (c.proratedCredits() > 0
              ? ", with " + c.proratedCredits() + " credits for the rest of this cycle." : ".")
          : "You move to " + name(c.toTier()) + " at your next billing cycle, on " + c.effectiveAt() + ".";
    });
  }

  @PostMapping("/billing/keep")
  String keep(@RequestParam String key, HttpServletRequest request, RedirectAttributes redirect) {
    AccountId account = SignedIn.require(request);
    return act(redirect, () -> {
      PlanChange c = plans.withdrawPendingChange(account, IdempotencyKey.of(key + ":keep"));
      return "You stay on " + name(c.toTier()) + ".";
    });
  }

  @PostMapping("/billing/cancel")
  String cancel(@RequestParam String key, HttpServletRequest request, RedirectAttributes redirect) {
    AccountId account = SignedIn.require(request);
    return act(redirect, () -> {
      PlanChange c = plans.cancel(account, IdempotencyKey.of(key + ":cancel"));
      return "Cancelled. Your monthly credits stop refreshing on " + c.effectiveAt()
          + "; the credits in your balance stay yours.";
    });
  }

  @PostMapping("/billing/packs")
  String buyPack(@RequestParam String pack, @RequestParam String key, HttpServletRequest request,
      RedirectAttributes redirect) {
    AccountId account = SignedIn.require(request);
    return act(redirect, () -> {
      PackOrder order = plans.buyPack(account, pack, IdempotencyKey.of(key + ":pack:" + pack));
      return "Ordered " + order.pack().credits() + " credits for "
          + Views.money(order.pack().priceMinor(), order.pack().currency())
          + ". They arrive as soon as the payment goes through, and never expire.";
    });
  }

  private String act(RedirectAttributes redirect, Supplier<String> action) {
    try {
      redirect.addFlashAttribute("notice", action.get());
    } catch (CreditsException e) {
      redirect.addFlashAttribute("error", e.getMessage());
    }
    return "redirect:/billing";
  }

  private String name(String tierId) {
    return plans.tiers().find(tierId).map(Tier::name).orElse(tierId);
  }
}
