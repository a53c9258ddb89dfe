package io.preprompt.credits.spring;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.SweepReport;
import io.preprompt.credits.plans.PlanService;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the library's housekeeping on a thread of its own while the application runs: the sweep
 * ({@link CreditService#sweep()}: holds past their deadline released, expired lots closed) and the
 * renewal of due plans ({@link PlanService#renewDue()}), each at a fixed delay after the last run
 * ended. Needs no {@code @EnableScheduling}. Several app instances may run it at once: the store
 * claims each batch's rows with {@code FOR UPDATE SKIP LOCKED} on PostgreSQL and every change is
 * keyed, so no hold is released twice and no cycle renewed twice. A failed run is logged and the
 * next one runs on time.
 */
public final class CreditsHousekeeping implements SmartLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(CreditsHousekeeping.class);

  private final CreditService credits;
  private final PlanService plans;
  private final CreditsProperties.Housekeeping settings;
  private final AtomicLong holdsExpired = new AtomicLong();
  private final AtomicLong lotsExpired = new AtomicLong();
  private final AtomicLong renewed = new AtomicLong();
  private @Nullable ScheduledExecutorService executor;

  /**
   * Creates the housekeeping; it starts with the application context.
   *
   * @param credits the credit service whose sweep runs
   * @param plans the plan service whose renewals run
   * @param settings the intervals
   */
  public CreditsHousekeeping(CreditService credits, PlanService plans, CreditsProperties.Housekeeping settings) {
    this.credits = Objects.requireNonNull(credits, "credits");
    this.plans = Objects.requireNonNull(plans, "plans");
    this.settings = Objects.requireNonNull(settings, "settings");
    check(settings);
  }

  /**
   * Checks the intervals: positive, and an initial delay not negative.
   *
   * @param settings the intervals
   * @throws CreditsConfigurationException naming the first bad property
   */
  static void check(CreditsProperties.Housekeeping settings) {
    positive("credits.housekeeping.sweep-interval", settings.sweepInterval());
    positive("credits.housekeeping.renewal-interval", settings.renewalInterval());
    if (settings.initialDelay().isNegative()) {
      throw new CreditsConfigurationException("credits.housekeeping.initial-delay", "must not be negative, was "
          + settings.initialDelay(), null);
    }
  }

  private static void positive(String property, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new CreditsConfigurationException(property, "must be positive, was " + value, null);
    }
  }

  @Override
  public synchronized void start() {
    if (executor != null) {
      return;
    }
    ScheduledExecutorService e = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "credits-housekeeping");
      t.setDaemon(true);
      return t;
    });
    long initial = settings.initialDelay().toMillis();
    e.scheduleWithFixedDelay(this::sweepOnce, initial, settings.sweepInterval().toMillis(), TimeUnit.MILLISECONDS);
    e.scheduleWithFixedDelay(this::renewOnce, initial, settings.renewalInterval().toMillis(), TimeUnit.MILLISECONDS);
    executor = e;
    LOG.info("credits housekeeping started: sweep every {}, renewals every {}", settings.sweepInterval(),
        settings.renewalInterval());
  }

  @Override
  public synchronized void stop() {
    ScheduledExecutorService e = executor;
    if (e == null) {
      return;
    }
    executor = null;
    e.shutdownNow();
    try {
      if (!e.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("credits housekeeping did not stop within 10 s");
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return executor != null;
  }

  /**
   * Runs one sweep now, on the caller's thread (the scheduled runs call this too).
   *
   * @return what it did, or null when it failed (the failure is logged)
   */
  public @Nullable SweepReport sweepOnce() {
    try {
      SweepReport report = credits.sweep();
      holdsExpired.addAndGet(report.holdsExpired());
      lotsExpired.addAndGet(report.lotsExpired());
      if (report.holdsExpired() + report.lotsExpired() > 0) {
        LOG.debug("credits sweep: {}", report);
      }
      return report;
    } catch (RuntimeException e) {
      LOG.warn("credits sweep failed; the next runs on schedule", e);
      return null;
    }
  }

  /**
   * Runs one renewal pass now, on the caller's thread (the scheduled runs call this too).
   *
   * @return the plans renewed, or -1 when it failed (the failure is logged)
   */
  public int renewOnce() {
    try {
      int n = plans.renewDue();
      renewed.addAndGet(n);
      if (n > 0) {
        LOG.debug("credits renewals: {} plans", n);
      }
      return n;
    } catch (RuntimeException e) {
      LOG.warn("credits renewals failed; the next run is on schedule", e);
      return -1;
    }
  }

  /**
   * Returns what this instance's housekeeping did since it was created.
   *
   * @return holds expired, lots expired and plans renewed, in that order
   */
  public long[] totals() {
    return new long[] {holdsExpired.get(), lotsExpired.get(), renewed.get()};
  }
}
