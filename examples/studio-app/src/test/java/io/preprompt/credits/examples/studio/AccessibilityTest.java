package io.preprompt.credits.examples.studio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Every page on a 360-pixel phone screen: nothing wider than the screen, every control labelled and
 * named, one main heading, the language set; the user menu opens from the keyboard. Screenshots of
 * each page at that width are under {@code target/screenshots/AccessibilityTest}.
 */
class AccessibilityTest extends BrowserTest {
  private static final List<String> SIGNED_IN_PAGES = List.of("/studio", "/history", "/usage", "/billing");

  @Override
  int width() {
    return 360;
  }

  @Override
  int height() {
    return 740;
  }

  @Test
  void everyPageIsReadableOnAPhoneAndLabelled() {
    open("/");
    checkPage("signup");
    byId("email").sendKeys("not an email");
    submit("signup");
    // A refused email is said next to the field and tied to it.
    assertThat(byId("email").getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(byId("email").getDomAttribute("aria-describedby")).isEqualTo("email-error");
    assertThat(byId("email-error").getText()).contains("name@example.com");
    checkPage("signup-error");

    byId("email").clear();
    byId("email").sendKeys(newEmail("phone"));
    submit("signup");
    await(d -> d.getCurrentUrl().endsWith("/inbox"));
    checkPage("inbox");
    submit("verify-link");
    await(d -> d.getCurrentUrl().endsWith("/studio"));
    for (String page : SIGNED_IN_PAGES) {
      open(page);
      awaitLive();
      checkPage(page.substring(1));
    }
  }

  @Test
  void theUpgradeModalFitsAPhone() {
    signUpAndVerify(newEmail("phone-modal"));
    choose("MUSIC_CUE", "standard", null, 600, 1, "succeeds");
    assertThat(generate()).isEqualTo("blocked");
    await(d -> byId("upgrade").isDisplayed());
    Map<?, ?> box = (Map<?, ?>) browser.executeScript(
        "const r = document.getElementById('upgrade').getBoundingClientRect();"
            + "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,"
            + " width: window.innerWidth, height: window.innerHeight};");
    assertThat(((Number) box.get("left")).doubleValue()).isGreaterThanOrEqualTo(0);
    assertThat(((Number) box.get("top")).doubleValue()).isGreaterThanOrEqualTo(0);
    assertThat(((Number) box.get("right")).doubleValue()).isLessThanOrEqualTo(((Number) box.get("width")).doubleValue());
    assertThat(((Number) box.get("bottom")).doubleValue()).isLessThanOrEqualTo(((Number) box.get("height")).doubleValue());
    // Its actions can be reached: the modal scrolls within the screen when it is taller.
    assertThat(byId("modal-dismiss").isDisplayed()).isTrue();
    screenshot("upgrade-modal");
  }

  @Test
  void theUserMenuOpensFromTheKeyboard() {
    signUpAndVerify(newEmail("keyboard"));
    WebElement summary = byId("user-menu").findElement(By.tagName("summary"));
    assertThat(byId("menu-available").isDisplayed()).isFalse();
    summary.sendKeys(Keys.ENTER);
    await(d -> byId("menu-available").isDisplayed());
    assertThat(byId("menu-available").getText()).isEqualTo("200");
    screenshot("user-menu-open");
    // The menu fits the phone's screen.
    Map<?, ?> box = (Map<?, ?>) browser.executeScript(
        "const r = document.querySelector('.menu-panel').getBoundingClientRect();"
            + "return {left: r.left, right: r.right, width: window.innerWidth};");
    assertThat(((Number) box.get("left")).doubleValue()).isGreaterThanOrEqualTo(0);
    assertThat(((Number) box.get("right")).doubleValue()).isLessThanOrEqualTo(((Number) box.get("width")).doubleValue());
  }

  private void checkPage(String name) {
    Map<?, ?> facts = (Map<?, ?>) browser.executeScript("""
        const unlabelled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
          .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
          .map(el => el.id || el.name || el.outerHTML);
        const unnamed = [...document.querySelectorAll('button, a[href]')]
          .filter(el => el.textContent.trim() === '' && !el.getAttribute('aria-label'))
          .map(el => el.outerHTML);
        const duplicateIds = [...document.querySelectorAll('[id]')].map(el => el.id)
          .filter((id, i, all) => all.indexOf(id) !== i);
        return {
          lang: document.documentElement.lang,
          title: document.title,
          h1: document.querySelectorAll('h1').length,
          main: document.querySelectorAll('main').length,
          unlabelled, unnamed, duplicateIds,
          scrollWidth: document.documentElement.scrollWidth,
          viewport: window.innerWidth,
          smallText: [...document.querySelectorAll('body *')]
            .filter(el => el.offsetParent !== null && el.childNodes.length > 0
              && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== '')
              && parseFloat(getComputedStyle(el).fontSize) < 12)
            .map(el => el.tagName + ':' + el.textContent.trim().slice(0, 30))
        };""");
    assertThat(facts.get("lang")).as("%s: lang", name).isEqualTo("en");
    assertThat((String) facts.get("title")).as("%s: title", name).endsWith("PrePrompt Studio");
    assertThat(((Number) facts.get("h1")).intValue()).as("%s: one h1", name).isEqualTo(1);
    assertThat(((Number) facts.get("main")).intValue()).as("%s: one main", name).isEqualTo(1);
    assertThat((List<?>) facts.get("unlabelled")).as("%s: controls without a label", name).isEmpty();
    assertThat((List<?>) facts.get("unnamed")).as("%s: buttons and links without a name", name).isEmpty();
    assertThat((List<?>) facts.get("duplicateIds")).as("%s: duplicate ids", name).isEmpty();
    assertThat((List<?>) facts.get("smallText")).as("%s: text under 12px", name).isEmpty();
    assertThat(((Number) facts.get("scrollWidth")).intValue()).as("%s: wider than the %s px screen", name,
        facts.get("viewport")).isLessThanOrEqualTo(((Number) facts.get("viewport")).intValue());
    screenshot(name);
  }
}
