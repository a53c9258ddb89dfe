package io.preprompt.credits.examples.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.plans.PlanService;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The upgrade modal: its numbers are the library's (balance, estimate, shortfall, the tiers that
 * cover it), a blocked generation changes nothing, and the modal works from the keyboard.
 */
class UpgradeModalTest extends BrowserTest {
  @Autowired
  PlanService plans;
  @Autowired
  GenerationGate gate;

  @Test
  void numbersAreTheLibrarys_andNothingChanges() {
    AccountId account = signUpAndVerify(newEmail("modal"));
    gate.removeCredits(account, CreditAmount.of(163), "spent elsewhere", IdempotencyKey.of("spend-163"));
    awaitShownBalance(37);

    // A 5-second 720p clip with two variants: the page's estimate is the rate card's.
    GenerationRequest clip = GenerationRequest.clip("standard", "720p", 5).withVariants(2);
    choose("VIDEO_CLIP", "standard", "720p", 5, 2, "succeeds");
    assertThat(shownEstimate()).isEqualTo(gate.rateCard().estimate(clip).credits()).isEqualTo(50);
    assertThat(generate()).isEqualTo("blocked");
    await(d -> byId("upgrade").isDisplayed());
    assertThat(byId("modal-balance").getText()).isEqualTo("37");
    assertThat(byId("modal-estimate").getText()).isEqualTo("50");
    assertThat(byId("modal-shortfall").getText()).isEqualTo("13");
    // The tiers and what covers the shortfall are the gate's own offer; the free tier buys no packs.
    Authorization.InsufficientCredits offer = (Authorization.InsufficientCredits) gate.authorize(account, clip,
        IdempotencyKey.of("compare-offer"));
    assertThat(modalTiers()).containsExactlyElementsOf(offer.offer().tiers().stream()
        .filter(t -> t.tier().paid())
        .map(t -> t.tier().id() + (t.coversShortfall() ? " covers" : "")).toList());
    assertThat(byId("modal-packs-section").isDisplayed()).isFalse();
    screenshot("free-tier-modal");

    // Blocked means nothing happened: no hold, no charge, nothing in the history.
    assertThat(credits.balance(account).available()).isEqualTo(37);
    assertThat(credits.balance(account).held()).isZero();
    open("/history");
    assertThat(byId("history-empty").isDisplayed()).isTrue();
    assertReconciles(account);

    // A subscriber is offered packs too, with the ones that cover the shortfall marked.
    plans.subscribe(account, "studio", IdempotencyKey.of("subscribe"));
    open("/studio");
    awaitLive();
    awaitShownBalance(1_037);
    GenerationRequest score = GenerationRequest.music("pro", 600).withVariants(2);
    choose("MUSIC_CUE", "pro", null, 600, 2, "succeeds");
    long estimate = gate.rateCard().estimate(score).credits();
    assertThat(shownEstimate()).isEqualTo(estimate).isGreaterThan(1_037);
    assertThat(generate()).isEqualTo("blocked");
    await(d -> byId("upgrade").isDisplayed());
    assertThat(byId("modal-shortfall").getText()).isEqualTo(String.valueOf(estimate - 1_037));
    Authorization.InsufficientCredits subscriberOffer = (Authorization.InsufficientCredits) gate.authorize(account,
        score, IdempotencyKey.of("compare-offer-2"));
    assertThat(byId("modal-packs-section").isDisplayed()).isTrue();
    List<String> packs = byId("modal-packs").findElements(By.tagName("li")).stream()
        .map(li -> li.getDomAttribute("data-pack")).toList();
    assertThat(packs).containsExactlyElementsOf(subscriberOffer.offer().packs().stream().map(p -> p.pack().id()).toList());
    assertThat(modalTiers()).contains("studio");  // the current tier, which does not cover it, unmarked
    screenshot("subscriber-modal");
    assertThat(credits.balance(account).available()).isEqualTo(1_037);
  }

  private List<String> modalTiers() {
    return byId("modal-tiers").findElements(By.tagName("li")).stream()
        .map(li -> li.getDomAttribute("data-tier")
            + (li.findElements(By.className("badge")).stream().anyMatch(b -> b.getText().startsWith("Covers"))
                ? " covers" : ""))
        .toList();
  }

  @Test
  void anOptionAboveTheTier_namesTheTierItNeeds() {
    AccountId account = signUpAndVerify(newEmail("four-k"));
    choose("IMAGE", "standard", "4k", 0, 1, "succeeds");
    assertThat(generate()).isEqualTo("not-in-tier");
    await(d -> byId("upgrade").isDisplayed());
    assertThat(byId("upgrade").getAccessibleName()).isEqualTo("Studio+ or higher is needed");
    assertThat(byId("tier-lead").getText()).isEqualTo(
        "Your plan, Free, does not include resolution=4k. Nothing was charged.");
    assertThat(byId("modal-balance").isDisplayed()).isFalse();
    screenshot("not-in-tier-modal");
    assertThat(credits.balance(account).available()).isEqualTo(200);
    assertThat(credits.balance(account).held()).isZero();
  }

  @Test
  void keyboard() {
    signUpAndVerify(newEmail("keys"));
    choose("MUSIC_CUE", "standard", null, 600, 1, "succeeds");
    byId("generate").sendKeys(Keys.ENTER);
    WebElement modal = byId("upgrade");
    await(d -> modal.isDisplayed());
    // The dialog is named by its heading; focus starts on its first action and Tab never leaves it.
    assertThat(modal.getAccessibleName()).isEqualTo("Not enough credits");
    assertThat(active().getDomAttribute("id")).isEqualTo("upgrade-title");
    new Actions(browser).keyDown(Keys.SHIFT).sendKeys(Keys.TAB).keyUp(Keys.SHIFT).perform();
    assertThat(active().getDomAttribute("id")).as("Shift+Tab from the title").isEqualTo("modal-dismiss");
    List<String> visited = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      new Actions(browser).sendKeys(Keys.TAB).perform();
      WebElement a = active();
      assertThat(isInside(a, modal)).as("focus after %d tabs", i + 1).isTrue();
      visited.add(a.getDomAttribute("id"));
    }
    assertThat(visited).contains("modal-upgrade", "modal-dismiss");
    // "Not now" by keyboard closes it and gives the focus back to Generate.
    byId("modal-dismiss").sendKeys(Keys.ENTER);
    await(d -> !modal.isDisplayed());
    assertThat(active().getDomAttribute("id")).isEqualTo("generate");
    // Escape closes it too.
    byId("generate").sendKeys(Keys.ENTER);
    await(d -> modal.isDisplayed());
    new Actions(browser).sendKeys(Keys.ESCAPE).perform();
    await(d -> !modal.isDisplayed());
    assertThat(active().getDomAttribute("id")).isEqualTo("generate");
  }

  private WebElement active() {
    return browser.switchTo().activeElement();
  }

  private boolean isInside(WebElement element, WebElement container) {
    return Boolean.TRUE.equals(browser.executeScript("return arguments[1].contains(arguments[0]);", element, container));
  }

}
