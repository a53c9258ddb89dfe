package io.preprompt.credits.examples.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The app ({@link StudioAppTest}), and a headless Chromium per test. */
@StudioAppTest
abstract class BrowserTest {
  private static final AtomicInteger USERS = new AtomicInteger();

  @LocalServerPort
  int port;
  @Autowired
  CreditService credits;
  @Autowired
  Accounts accounts;

  ChromeDriver browser;
  private String testName = "test";
  private int shot;

  /** The browser's window size; a test class may ask for a narrow screen. */
  int width() {
    return 1280;
  }

  int height() {
    return 900;
  }

  @BeforeEach
  void startBrowser(TestInfo info) {
    testName = getClass().getSimpleName() + "/" + info.getTestMethod().orElseThrow().getName();
    browser = Chromium.start(width(), height());
  }

  @AfterEach
  void quitBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  String url(String path) {
    return "http://localhost:" + port + path;
  }

  void open(String path) {
    browser.get(url(path));
  }

  /** Writes the next numbered screenshot of this test under {@code target/screenshots}. */
  void screenshot(String step) {
    shot++;
    Chromium.screenshot(browser, testName + "/" + String.format("%02d", shot) + "-" + step);
  }

  /** Waits for a condition; an element replaced while it is read (a page loading) is read again. */
  <T> T await(Function<WebDriver, @Nullable T> condition) {
    return new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class)
        .until(condition);
  }

  /** Clicks a control that submits a form or follows a link, and waits until the next page replaced this one. */
  void submit(String id) {
    browser.executeScript("window.studioOldPage = true;");
    byId(id).click();
    // A new document has no marker; while it loads, the browser may refuse a script (ignored, and asked again).
    new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(WebDriverException.class)
        .withMessage("a new page after clicking " + id)
        .until(d -> Boolean.TRUE.equals(browser.executeScript(
            "return window.studioOldPage === undefined && document.readyState === 'complete';")));
  }

  static String newEmail(String who) {
    return who + "-" + USERS.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
  }

  WebElement byId(String id) {
    return browser.findElement(By.id(id));
  }

  /** Signs up in the browser and follows the verification link: the journey's first steps. */
  AccountId signUpAndVerify(String email) {
    open("/");
    byId("email").sendKeys(email);
    submit("signup");
    await(d -> d.getCurrentUrl().endsWith("/inbox"));
    submit("verify-link");
    await(d -> d.getCurrentUrl().endsWith("/studio"));
    awaitLive();
    return accounts.byEmail(email).orElseThrow().account();
  }

  /** Waits until the page's live-balance stream has delivered its first event. */
  void awaitLive() {
    await(d -> "open".equals(byId("user-menu").findElement(By.xpath("..")).getDomAttribute("data-live")));
  }

  long shownBalance() {
    return Long.parseLong(byId("balance-available").getText().strip());
  }

  long shownHeld() {
    return Long.parseLong(byId("balance-held").getAttribute("textContent").strip());
  }

  void awaitShownBalance(long expected) {
    new WebDriverWait(browser, Duration.ofSeconds(15))
        .withMessage(() -> "the header to show " + expected + " credits; it shows " + byId("balance-available").getText())
        .until(d -> shownBalance() == expected);
  }

  /** Fills the generate form; {@code resolution} null for audio, {@code seconds} 0 for images. */
  void choose(String kind, String model, @Nullable String resolution, int seconds, int variants, String outcome) {
    new Select(byId("kind")).selectByValue(kind);
    new Select(byId("model")).selectByValue(model);
    if (resolution != null) {
      new Select(byId("resolution")).selectByValue(resolution);
    }
    if (seconds > 0) {
      WebElement s = byId("seconds");
      s.clear();
      s.sendKeys(String.valueOf(seconds));
    }
    WebElement v = byId("variants");
    v.clear();
    v.sendKeys(String.valueOf(variants));
    new Select(byId("outcome")).selectByValue(outcome);
    // The estimate follows the options; the total is shown once it is back.
    await(d -> !byId("estimate-total").getText().equals("–"));
  }

  /** The estimate's total once it matches the server's estimate for what is chosen. */
  long shownEstimate() {
    return Long.parseLong(byId("estimate-total").getText().strip());
  }

  int responses() {
    String r = byId("generate-form").getDomAttribute("data-responses");
    return r == null ? 0 : Integer.parseInt(r);
  }

  /** Clicks "Generate" and waits for the answer. */
  String generate() {
    int before = responses();
    byId("generate").click();
    await(d -> responses() > before);
    return byId("result").getDomAttribute("data-status");
  }

  long ledgerBalance(AccountId account) {
    return credits.balance(account).available();
  }

  void assertReconciles(AccountId account) {
    assertThat(credits.reconcile(account).consistent()).as("ledger of %s reconciles", account).isTrue();
  }
}
