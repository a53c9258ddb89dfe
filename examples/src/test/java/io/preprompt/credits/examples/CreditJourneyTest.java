package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs the README's journey on H2, as {@code exec:java} does, and reads the transcript. */
@DisplayName("The credit journey")
class CreditJourneyTest {
  private static String transcript;

  @BeforeAll
  static void play() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      CreditJourney.run(out);
    }
    transcript = bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("plays every step of the help page, in order")
  void playsEveryStep() {
    assertThat(transcript).containsSubsequence("1. Sign up and verify email", "2. Estimate a scene",
        "3. Generate the scene", "4. A generation fails and is refunded", "5. A generation is blocked",
        "6. Subscribe to Studio", "7. Buy a credit pack", "8. Upgrade to Studio Pro mid-month", "9. Cancel",
        "10. History and the month's usage", "Journey complete");
  }

  @Test
  @DisplayName("grants 200 credits once, and a scene fits in them")
  void signupAndScene() {
    assertThat(transcript).contains("verified: +200 free credits; available 200, held 0",
        "verified again: +0", "12 items (Actor A, Actor B, the Set, beats 1-8, a voice line): 91 credits",
        "authorized all 12 items at once: held 91; available 109, held 91",
        "all succeeded and settled: available 109, held 0");
  }

  @Test
  @DisplayName("refunds failures and blocks what the balance cannot cover, with the offer")
  void refundsAndBlocks() {
    assertThat(transcript).contains("two 5-second clips start: held 50; available 47, held 50",
        "low-balance signal: 47 credits left", "a clip fails: released 25; available 97, held 0",
        "estimate 150, balance 97, short by 53; nothing held (available 97, held 0)",
        "offer: Studio, 1000 credits/month, covers it", "packs on offer: none on the free tier",
        "a 1080p image: not in tier Free, needs Studio", "buying a pack on the free tier: PACKS_REQUIRE_PAID_TIER");
  }

  @Test
  @DisplayName("subscribes, buys a pack, upgrades with proration and cancels keeping the balance")
  void plans() {
    assertThat(transcript).contains("cycle 0 paid: +1000 allowance",
        "Studio (ACTIVE): available 1097 = free 97 + allowance 1000 + packs 0",
        "the same webhook delivered twice: DUPLICATE, +0", "payment confirmed: +500",
        "charged 81, 9 returned", "+1029 pro-rated credits",
        "takes effect 2026-04-12T11:10:00Z", "this month's usage: 121 credits used",
        "after the month ended, no refill: Free (CANCELLED): available 2505");
  }

  @Test
  @DisplayName("ends with the month's usage by kind and a per-generation history the ledger reconciles")
  void history() {
    assertThat(transcript).contains(
        "the paid month 2026-03-12T11:10:00Z to 2026-04-12T11:10:00Z: 121 credits charged",
        "image: 1 generation(s), 40 credits", "video clip: 1 generation(s), 81 credits",
        "11 x image standard, succeeded: 8 -> 8", "3 x image standard, succeeded: 4 -> 4",
        "2 x video clip standard, failed: 25 -> 0", "video clip pro, succeeded: 90 -> 81",
        "reconciled with the ledger: consistent", "Journey complete: available 2505, held 0.");
  }
}
