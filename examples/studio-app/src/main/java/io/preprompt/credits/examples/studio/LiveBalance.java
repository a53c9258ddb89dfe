package io.preprompt.credits.examples.studio;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.ledger.CommittedChange;
import io.preprompt.credits.ledger.CreditsListener;
import io.preprompt.credits.plans.PlanService;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live balance: every open page holds a server-sent event stream ({@code GET /events}), and the
 * library tells this listener after each committed change, so the page's user menu updates without
 * a reload, in every tab, whichever tab or instance thread spent.
 *
 * <p>The listener runs on the committing thread after the commit (after the host's transaction, for
 * changes made inside one), so it only hands the account to the background thread. That thread reads
 * the account's overview afresh and sends it: one thread, so a stream never receives an older state
 * after a newer one, and a slow browser never holds up a generation.
 */
@Component
class LiveBalance implements CreditsListener {
  private static final Logger LOG = LoggerFactory.getLogger(LiveBalance.class);
  /** A stream ends after this; the browser's EventSource reconnects on its own. */
  static final Duration STREAM_LIFETIME = Duration.ofMinutes(30);

  private final ObjectProvider<PlanService> plans;
  private final ScheduledExecutorService background;
  private final Map<AccountId, Set<SseEmitter>> streams = new ConcurrentHashMap<>();

  // The library is built with this listener: the plan service is looked up when a push runs.
  LiveBalance(ObjectProvider<PlanService> plans, ScheduledExecutorService studioExecutor) {
    this.plans = plans;
    this.background = studioExecutor;
  }

  /**
   * Opens a stream for an account; its first event is the menu as it stands.
   *
   * @param account the signed-in account
   * @return the stream
   */
  SseEmitter open(AccountId account) {
    SseEmitter emitter = new SseEmitter(STREAM_LIFETIME.toMillis());
    Set<SseEmitter> set = streams.computeIfAbsent(account, a -> ConcurrentHashMap.newKeySet());
    set.add(emitter);
    Runnable remove = () -> forget(account, emitter);
    emitter.onCompletion(remove);
    emitter.onTimeout(remove);
    emitter.onError(e -> remove.run());
    schedulePush(account);
    return emitter;
  }

  @Override
  public void onCommitted(CommittedChange change) {
    if (streams.containsKey(change.account())) {
      schedulePush(change.account());
    }
  }

  /** How many streams are open for an account, for tests. */
  int openStreams(AccountId account) {
    Set<SseEmitter> set = streams.get(account);
    return set == null ? 0 : set.size();
  }

  private void schedulePush(AccountId account) {
    try {
      background.execute(() -> push(account));
    } catch (RejectedExecutionException e) {
      LOG.debug("not pushing the balance of {}: the app is stopping", account);
    }
  }

  private void push(AccountId account) {
    Set<SseEmitter> set = streams.get(account);
    if (set == null || set.isEmpty()) {
      return;
    }
    MenuView menu;
    try {
      menu = MenuView.of(plans.getObject().overview(account));
    } catch (RuntimeException e) {
      LOG.warn("could not read the balance of {} for its live streams", account, e);
      return;
    }
    for (SseEmitter emitter : set) {
      try {
        emitter.send(SseEmitter.event().name("balance").data(menu, MediaType.APPLICATION_JSON));
      } catch (IOException | IllegalStateException e) {
        // The browser went away; its stream is done.
        forget(account, emitter);
      }
    }
  }

  private void forget(AccountId account, SseEmitter emitter) {
    streams.computeIfPresent(account, (a, set) -> {
      set.remove(emitter);
      return set.isEmpty() ? null : set;
    });
  }

  /** Ends every stream when the app stops, so no request is left open. */
  @PreDestroy
  void closeAll() {
    streams.values().forEach(set -> set.forEach(SseEmitter::complete));
    streams.clear();
  }
}
