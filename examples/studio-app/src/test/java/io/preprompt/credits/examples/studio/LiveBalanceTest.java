package io.preprompt.credits.examples.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.GenerationGate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The balance in the header is live: the library's after-commit listener pushes every committed
 * change to every open page of the account, with no reload, and nothing the database did not commit.
 */
class LiveBalanceTest extends BrowserTest {
  @Autowired
  GenerationGate gate;
  @Autowired
  TransactionTemplate transactions;

  @Test
  void secondTabSeesTheFirstTabSpend() {
    AccountId account = signUpAndVerify(newEmail("two-tabs"));
    String studioTab = browser.getWindowHandle();

    // Tab B: the history page, marked so a reload would show.
    browser.switchTo().newWindow(WindowType.TAB);
    open("/history");
    awaitLive();
    String historyTab = browser.getWindowHandle();
    browser.executeScript("window.studioNoReload = true; window.studioSeen = [];"
        + "document.addEventListener('studio:balance', e => window.studioSeen.push(e.detail.available + '/' + e.detail.held));");
    assertThat(shownBalance()).isEqualTo(200);
    screenshot("tab-b-before");

    // Tab A spends: an 8-credit image.
    browser.switchTo().window(studioTab);
    choose("IMAGE", "standard", "720p", 0, 1, "succeeds");
    byId("generate").click();

    // Tab B sees the hold while the model runs, then the settle, without a reload.
    browser.switchTo().window(historyTab);
    await(d -> shownBalance() == 192 && shownHeld() == 8);
    screenshot("tab-b-held");
    await(d -> shownBalance() == 192 && !byId("balance-held-badge").isDisplayed());
    screenshot("tab-b-settled");
    assertThat(browser.executeScript("return window.studioNoReload === true;")).isEqualTo(true);
    assertThat(seen(browser)).containsExactly("192/8", "192/0");

    browser.switchTo().window(studioTab);
    await(d -> "succeeded".equals(byId("result").getDomAttribute("data-status")));
    assertThat(shownBalance()).isEqualTo(192);
    screenshot("tab-a-after");
    assertThat(ledgerBalance(account)).isEqualTo(192);
  }

  @Test
  void changesMadeElsewhereArrive_andRolledBackOnesNever() {
    AccountId account = signUpAndVerify(newEmail("elsewhere"));
    browser.executeScript("window.studioNoReload = true; window.studioSeen = [];"
        + "document.addEventListener('studio:balance', e => window.studioSeen.push(e.detail.available + '/' + e.detail.held));");

    // A change inside a transaction that rolls back is never pushed: the listener runs after commit.
    transactions.executeWithoutResult(status -> {
      gate.addCredits(account, CreditAmount.of(1_000), "goodwill, rolled back", IdempotencyKey.of("rolled-back"));
      status.setRollbackOnly();
    });
    // Support grants 50 credits from the server side: the open page shows it.
    gate.addCredits(account, CreditAmount.of(50), "goodwill", IdempotencyKey.of("goodwill"));
    awaitShownBalance(250);
    assertThat(seen(browser)).containsExactly("250/0");
    assertThat(browser.executeScript("return window.studioNoReload === true;")).isEqualTo(true);
  }

  @Test
  void anotherAccountsPageDoesNotMove() {
    signUpAndVerify(newEmail("spender"));
    ChromeDriver mine = browser;
    ChromeDriver other = Chromium.start(width(), height());
    try {
      browser = other;
      signUpAndVerify(newEmail("bystander"));
      browser.executeScript("window.studioSeen = [];"
          + "document.addEventListener('studio:balance', e => window.studioSeen.push(e.detail.available + '/' + e.detail.held));");
      browser = mine;
      choose("IMAGE", "standard", "720p", 0, 1, "succeeds");
      assertThat(generate()).isEqualTo("succeeded");
      awaitShownBalance(192);
      browser = other;
      assertThat(shownBalance()).isEqualTo(200);
      assertThat(seen(other)).isEmpty();
    } finally {
      browser = mine;  // the test's own browser, which @AfterEach quits
      other.quit();
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> seen(ChromeDriver driver) {
    return (List<String>) driver.executeScript("return window.studioSeen;");
  }
}
