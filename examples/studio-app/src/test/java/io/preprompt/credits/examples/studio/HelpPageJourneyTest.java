package io.preprompt.credits.examples.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.core.AccountId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The help page's journey, end to end in a real browser: sign up and verify (200 credits, once),
 * the balance in the header, the itemized estimate, a generation held then settled, one that costs
 * less, one that fails, one blocked by the upgrade modal, the history and the month's usage, then
 * billing: subscribe, buy a pack, upgrade, downgrade, cancel. Every step's screenshot is under
 * {@code target/screenshots/HelpPageJourneyTest/journey}.
 */
class HelpPageJourneyTest extends BrowserTest {

  @Test
  void journey() {
    // 1. The sign-up page.
    open("/");
    screenshot("signup");
    byId("email").sendKeys(newEmail("maya"));
    submit("signup");

    // 2. The verification email (a simulated inbox), then its link: 200 credits.
    await(d -> d.getCurrentUrl().endsWith("/inbox"));
    screenshot("inbox");
    String verifyLink = byId("verify-link").getDomAttribute("href");
    submit("verify-link");
    await(d -> d.getCurrentUrl().endsWith("/studio"));
    awaitLive();
    assertThat(byId("notice").getText()).contains("200 free credits");
    assertThat(shownBalance()).isEqualTo(200);
    screenshot("verified-200-credits");
    AccountId account = accounts.byEmail(byId("user-menu").findElement(By.className("who"))
        .getAttribute("textContent").strip()).orElseThrow().account();

    // Following the link again grants nothing: the signup grant is once per account.
    open(verifyLink);
    assertThat(byId("notice").getText()).contains("already verified");
    awaitLive();
    assertThat(shownBalance()).isEqualTo(200);

    // 3. The itemized estimate of an image: 8 credits, the help page's standard 720p image.
    choose("IMAGE", "standard", "720p", 0, 1, "succeeds");
    assertThat(shownEstimate()).isEqualTo(8);
    List<WebElement> lines = browser.findElements(By.cssSelector("#estimate-lines tbody tr"));
    assertThat(lines).isNotEmpty();
    screenshot("estimate");

    // 4. Generate: held while it runs (the header shows it live), then settled.
    byId("generate").click();
    await(d -> shownHeld() == 8 && shownBalance() == 192);
    assertThat(byId("balance-held-badge").isDisplayed()).isTrue();
    screenshot("held-while-generating");
    await(d -> "succeeded".equals(byId("result").getDomAttribute("data-status")));
    await(d -> !byId("balance-held-badge").isDisplayed());
    assertThat(shownBalance()).isEqualTo(192);
    screenshot("settled");

    // 5. A clip that came out shorter: estimated 25, charged 13 (half, rounded up).
    choose("VIDEO_CLIP", "standard", "720p", 5, 1, "costs-less");
    assertThat(shownEstimate()).isEqualTo(25);
    assertThat(generate()).isEqualTo("succeeded");
    assertThat(byId("result").getText()).contains("13 credits, less than the 25 estimated");
    awaitShownBalance(179);

    // 6. A voice line that fails: its hold comes back, nothing is charged.
    choose("VOICE_LINE", "standard", null, 10, 1, "fails");
    assertThat(shownEstimate()).isEqualTo(4);
    assertThat(generate()).isEqualTo("failed");
    awaitShownBalance(179);
    screenshot("failed-released");

    // 7. A ten-minute music cue would overdraw: blocked, and the upgrade modal shows the numbers.
    choose("MUSIC_CUE", "standard", null, 600, 1, "succeeds");
    assertThat(shownEstimate()).isEqualTo(302);
    assertThat(generate()).isEqualTo("blocked");
    WebElement modal = byId("upgrade");
    await(d -> modal.isDisplayed());
    assertThat(byId("modal-balance").getText()).isEqualTo("179");
    assertThat(byId("modal-estimate").getText()).isEqualTo("302");
    assertThat(byId("modal-shortfall").getText()).isEqualTo("123");
    assertThat(byId("modal-tiers").findElements(By.tagName("li"))).extracting(WebElement::getText)
        .anySatisfy(t -> assertThat(t).contains("Studio", "1000 credits a month", "$12.00"))
        .anySatisfy(t -> assertThat(t).contains("Studio Pro", "3000 credits a month"))
        .anySatisfy(t -> assertThat(t).contains("Studio+", "8000 credits a month"));
    screenshot("upgrade-modal");
    modal.sendKeys(Keys.ESCAPE);
    await(d -> !modal.isDisplayed());
    assertThat(browser.switchTo().activeElement().getDomAttribute("id")).isEqualTo("generate");
    assertThat(shownBalance()).isEqualTo(179);

    // 8. The history: estimate against charge for each generation, newest first.
    byId("user-menu").findElement(By.tagName("summary")).click();
    assertThat(byId("menu-used").getText()).isEqualTo("21");
    screenshot("user-menu");
    open("/history");
    List<List<String>> rows = browser.findElements(By.cssSelector("#history tbody tr")).stream()
        .map(r -> r.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
        .toList();
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0)).containsSequence("Voice line", "standard", "failed", "4", "0");
    assertThat(rows.get(1)).containsSequence("Video clip", "standard", "succeeded", "25");
    assertThat(rows.get(1).get(5)).startsWith("13").contains("differs");
    assertThat(rows.get(2)).containsSequence("Image", "standard", "succeeded", "8", "8");
    screenshot("history");

    // 9. The month's usage by kind.
    open("/usage");
    assertThat(byId("usage-total").getText()).isEqualTo("21");
    assertThat(usageRow("IMAGE")).containsExactly("Image", "1", "8");
    assertThat(usageRow("VIDEO_CLIP")).containsExactly("Video clip", "1", "13");
    assertThat(usageRow("VOICE_LINE")).containsExactly("Voice line", "0", "0");
    screenshot("usage");

    // 10. Billing: packs need a paid tier. Subscribe to Studio; the payment lands a moment later and
    // the header shows the allowance without a reload.
    open("/billing");
    awaitLive();
    assertThat(byId("packs-unavailable").isDisplayed()).isTrue();
    submit("subscribe-studio");
    await(d -> d.getCurrentUrl().endsWith("/billing"));
    assertThat(byId("notice").getText()).contains("Subscribed to Studio");
    awaitLive();
    browser.executeScript("window.studioNoReload = true;");
    awaitShownBalance(1_179);
    assertThat(browser.executeScript("return window.studioNoReload === true;")).isEqualTo(true);
    screenshot("subscribed");

    // 11. A pack: 500 credits that never expire.
    open("/billing");
    awaitLive();
    submit("buy-pack_500");
    await(d -> byId("notice").getText().contains("Ordered 500 credits"));
    awaitLive();
    awaitShownBalance(1_679);
    screenshot("pack-bought");

    // 12. Upgrade to Studio Pro now, with the rest of the cycle's difference.
    submit("upgrade-studio_pro");
    await(d -> byId("notice").getText().contains("Upgraded to Studio Pro now"));
    awaitLive();
    long afterUpgrade = ledgerBalance(account);
    assertThat(afterUpgrade).isGreaterThan(1_679);
    awaitShownBalance(afterUpgrade);
    assertThat(byId("menu-tier").getAttribute("textContent")).isEqualTo("Studio Pro");

    // 13. Downgrade to Studio: at the next cycle.
    submit("downgrade-studio");
    await(d -> byId("notice").getText().contains("at your next billing cycle"));
    assertThat(byId("pending-change").getText()).contains("Studio");
    screenshot("downgrade-scheduled");

    // 14. Cancel: the balance stays.
    submit("cancel");
    await(d -> byId("notice").getText().startsWith("Cancelled"));
    assertThat(byId("cancel-date").isDisplayed()).isTrue();
    assertThat(browser.findElements(By.cssSelector("#payments tbody tr"))).extracting(WebElement::getText)
        .anySatisfy(t -> assertThat(t).contains("Studio subscription", "$12.00", "PAID"))
        .anySatisfy(t -> assertThat(t).contains("Credit pack: 500 credits", "$5.00", "PAID"))
        .anySatisfy(t -> assertThat(t).contains("Cancel the subscription", "NOTED"));
    screenshot("cancelled");

    // 15. The music cue the modal blocked now goes through.
    open("/studio");
    awaitLive();
    choose("MUSIC_CUE", "standard", null, 600, 1, "succeeds");
    assertThat(generate()).isEqualTo("succeeded");
    awaitShownBalance(afterUpgrade - 302);
    screenshot("music-cue-after-upgrade");
    assertThat(ledgerBalance(account)).isEqualTo(afterUpgrade - 302);
    assertReconciles(account);
  }

  private List<String> usageRow(String kind) {
    WebElement row = browser.findElement(By.cssSelector("#usage tr[data-kind='" + kind + "']"));
    return row.findElements(By.cssSelector("th, td")).stream().map(WebElement::getText).toList();
  }
}
