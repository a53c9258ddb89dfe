package io.preprompt.credits.examples.studio;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRecord;
import io.preprompt.credits.gate.KindUsage;
import io.preprompt.credits.gate.UsageReport;
import io.preprompt.credits.plans.AccountOverview;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The history of what each generation cost, and the usage of the month by kind. */
@Controller
class ReportPages {
  /** How far back the history page reads. */
  static final Duration HISTORY = Duration.ofDays(92);

  private final GenerationGate gate;
  private final Layout layout;
  private final InstantSource clock;

  ReportPages(GenerationGate gate, Layout layout, InstantSource clock) {
    this.gate = gate;
    this.layout = layout;
    this.clock = clock;
  }

  /**
   * A row of the history.
   *
   * @param when when it started
   * @param kind the kind, for people
   * @param model the model
   * @param outcome what became of it
   * @param estimate the credits estimated
   * @param charged the credits charged
   * @param differs whether the charge differs from the estimate
   */
  record HistoryRow(Instant when, String kind, String model, String outcome, long estimate, long charged,
      boolean differs) {}

  @GetMapping("/history")
  String history(Model model, HttpServletRequest request) {
    AccountId account = SignedIn.require(request);
    layout.fill(model, account, "history");
    Instant now = clock.instant();
    List<GenerationRecord> records = gate.history().generations(account, now.minus(HISTORY), now.plusSeconds(1));
    List<HistoryRow> rows = new ArrayList<>(records.size());
    for (int i = records.size() - 1; i >= 0; i--) {  // newest first
      GenerationRecord r = records.get(i);
      rows.add(new HistoryRow(r.startedAt(), Views.label(r.kind()), r.model(),
          r.outcome().name().toLowerCase(java.util.Locale.ROOT), r.estimate(), r.actual(),
          r.chargeDiffersFromEstimate()));
    }
    model.addAttribute("rows", rows);
    return "history";
  }

  @GetMapping("/usage")
  String usage(Model model, HttpServletRequest request) {
    AccountId account = SignedIn.require(request);
    AccountOverview overview = layout.fill(model, account, "usage");
    Instant now = clock.instant();
    Instant monthStart = ZonedDateTime.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(1).toLocalDate()
        .atStartOfDay(ZoneOffset.UTC).toInstant();
    UsageReport report = gate.history().usage(account, monthStart, now.plusSeconds(1));
    List<KindUsage> kinds = List.copyOf(report.byKind().values());
    model.addAttribute("kinds", kinds);
    model.addAttribute("labels", kinds.stream().map(k -> Views.label(k.kind())).toList());
    model.addAttribute("total", report.totalCredits());
    model.addAttribute("monthStart", monthStart);
    model.addAttribute("overview", overview);
    return "usage";
  }
}
