package io.preprompt.credits.examples.studio;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.plans.AccountOverview;
import io.preprompt.credits.plans.PlanService;
import org.springframework.stereotype.Component;
import org.springframework.ui.Model;

/** Fills what every signed-in page shows: the user menu in the header. */
@Component
class Layout {
  private final PlanService plans;
  private final Accounts accounts;

  Layout(PlanService plans, Accounts accounts) {
    this.plans = plans;
    this.accounts = accounts;
  }

  /**
   * Adds the header's model ({@code menu}, {@code user}) and returns the overview it read.
   *
   * @param model the page's model
   * @param account the signed-in account
   * @param page the page's name, for the navigation's current item
   * @return the account's overview
   */
  AccountOverview fill(Model model, AccountId account, String page) {
    AccountOverview overview = plans.overview(account);
    model.addAttribute("menu", MenuView.of(overview));
    model.addAttribute("user", accounts.byAccount(account).orElseThrow());
    model.addAttribute("page", page);
    return overview;
  }
}
