package io.preprompt.credits.examples.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.interactions.Actions;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A double click on "Generate" sends the action twice with one key: both requests reach the server,
 * and the account is charged once.
 */
class DoubleClickTest extends BrowserTest {
  @Autowired
  GenerationGate gate;

  @Test
  void doubleClickChargesOnce() {
    AccountId account = signUpAndVerify(newEmail("double"));
    choose("VIDEO_CLIP", "standard", "720p", 5, 1, "succeeds");
    assertThat(shownEstimate()).isEqualTo(25);

    new Actions(browser).doubleClick(byId("generate")).perform();
    await(d -> responses() == 2);  // the page sent two requests, and both were answered
    assertThat(byId("result").getDomAttribute("data-status")).isEqualTo("succeeded");
    awaitShownBalance(175);
    screenshot("after-double-click");

    assertThat(ledgerBalance(account)).isEqualTo(175);
    List<GenerationRecord> generations = gate.history().generations(account, Instant.now().minus(Duration.ofHours(1)),
        Instant.now().plusSeconds(1));
    assertThat(generations).hasSize(1);
    assertThat(generations.get(0).actual()).isEqualTo(25);
    assertReconciles(account);

    // The next click is a new action, with a new key: charged again.
    assertThat(generate()).isEqualTo("succeeded");
    awaitShownBalance(150);
    assertThat(ledgerBalance(account)).isEqualTo(150);
  }
}
