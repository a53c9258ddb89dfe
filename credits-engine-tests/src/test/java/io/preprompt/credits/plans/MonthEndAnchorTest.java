package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.testkit.RecordingBillingGateway.SubscriptionCharge;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Billing anchors at the end of a month, walked through 24 cycles by {@link PlanService#renewDue()}:
 * each cycle starts a whole number of calendar months after the anchor, clamped at month end, and is
 * refilled exactly once.
 */
@DisplayName("Month-end billing anchors")
class MonthEndAnchorTest {

  private static final int CYCLES = 24;

  @Nested
  @DisplayName("Over 24 cycles driven by renewDue")
  class TwentyFourCycles {

    @ParameterizedTest(name = "anchor {0} in {1}")
    @CsvSource({
        "2026-01-31T10:00:00, UTC",
        "2028-01-31T10:00:00, UTC", // leap year: Feb 29
        "2028-02-29T23:30:00, UTC", // leap day anchor
        "2026-03-31T00:00:00, UTC",
        "2026-05-31T12:00:00, UTC",
        "2026-08-31T18:45:00, UTC",
        "2026-10-31T06:00:00, UTC",
        "2026-12-31T23:59:59, UTC",
        "2026-01-30T08:00:00, UTC",
        "2026-01-31T23:30:00, America/New_York", // cycles in a host zone with DST
        "2027-03-31T01:30:00, Europe/Berlin"
    })
    void eachCycleRefilledExactlyOnceAtItsClampedStart(String localAnchor, String zoneId) {
      ZoneId zone = ZoneId.of(zoneId);
      ZonedDateTime anchor = LocalDateTime.parse(localAnchor).atZone(zone);
      PlansFixture f = new PlansFixture(anchor.toInstant(), PlansConfig.defaults().withZone(zone));
      AccountId account = f.open("anchor");
      f.plans.subscribe(account, "studio", f.key());

      List<Instant> expectedStarts = new ArrayList<>();
      for (int n = 0; n <= CYCLES; n++) {
        expectedStarts.add(anchor.plusMonths(n).toInstant());
      }
      int refills = 0;
      for (int n = 0; n < CYCLES; n++) {
        Instant start = expectedStarts.get(n);
        Instant next = expectedStarts.get(n + 1);
        if (n > 0) {
          f.clock.set(start.minusMillis(1));
          assertThat(f.plans.renewDue()).as("refills just before cycle %d", n).isZero();
        }
        f.clock.set(start);
        int done = f.plans.renewDue();
        assertThat(done).as("refills at the start of cycle %d (%s)", n, start).isEqualTo(1);
        refills += done;
        assertThat(f.plans.renewDue()).as("a second renewal at the same instant").isZero();
        f.clock.set(start.plus(Duration.between(start, next).dividedBy(2)));
        refills += f.plans.renewDue();

        AccountOverview overview = f.plans.overview(account);
        assertThat(overview.cycleStart()).as("start of cycle %d", n).isEqualTo(start);
        assertThat(overview.cycleEnd()).as("end of cycle %d", n).isEqualTo(next);
        assertThat(f.available(account)).isEqualTo(1_000);
      }
      assertThat(refills).isEqualTo(CYCLES);
      assertThat(f.gateway.subscriptionCharges()).as("each cycle charged once, cycle 0 by subscribe")
          .extracting(SubscriptionCharge::cycle)
          .containsExactlyElementsOf(LongStream.range(0, CYCLES).boxed().toList());
      assertThat(f.gateway.subscriptionCharges()).extracting(SubscriptionCharge::cycleStart)
          .containsExactlyElementsOf(expectedStarts.subList(0, CYCLES));
      assertThat(f.refilledCycles(account)).containsExactlyElementsOf(LongStream.range(0, CYCLES).boxed().toList());
      f.assertConserved(account);
    }
  }

  @Nested
  @DisplayName("Clamping, written out by hand")
  class HandWritten {

    @Test
    @DisplayName("Jan 31 anchors run Feb 28, Mar 31, Apr 30 ... and never drift to the 28th")
    void january31() {
      assertThat(starts("2026-01-31T10:00:00Z", 15)).containsExactly(
          "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31",
          "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-30", "2026-12-31", "2027-01-31", "2027-02-28",
          "2027-03-31");
    }

    @Test
    @DisplayName("Jan 31 of a leap year runs through Feb 29")
    void january31LeapYear() {
      assertThat(starts("2028-01-31T10:00:00Z", 3)).containsExactly("2028-01-31", "2028-02-29", "2028-03-31");
    }

    @Test
    @DisplayName("A Feb 29 anchor runs on the 29th, and on Feb 28 in common years")
    void leapDay() {
      assertThat(starts("2028-02-29T23:30:00Z", 14)).containsExactly(
          "2028-02-29", "2028-03-29", "2028-04-29", "2028-05-29", "2028-06-29", "2028-07-29", "2028-08-29",
          "2028-09-29", "2028-10-29", "2028-11-29", "2028-12-29", "2029-01-29", "2029-02-28", "2029-03-29");
    }

    @Test
    @DisplayName("Aug 31 runs Sep 30, Oct 31, Nov 30")
    void august31() {
      assertThat(starts("2026-08-31T18:45:00Z", 4)).containsExactly("2026-08-31", "2026-09-30", "2026-10-31", "2026-11-30");
    }

    /** Drives renewDue through the cycles and reads the cycle starts off the overview. */
    private List<String> starts(String anchor, int cycles) {
      PlansFixture f = new PlansFixture(Instant.parse(anchor));
      AccountId account = f.open("hand");
      f.plans.subscribe(account, "studio", f.key());
      List<String> out = new ArrayList<>();
      for (int n = 0; n < cycles; n++) {
        assertThat(f.plans.renewDue()).isEqualTo(1);
        AccountOverview o = f.plans.overview(account);
        out.add(o.cycleStart().toString().substring(0, 10));
        f.clock.set(o.cycleEnd());
      }
      return out;
    }
  }
}
