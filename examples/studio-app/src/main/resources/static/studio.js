// The studio page: options follow the kind and model, the itemized estimate follows the options,
// and "Generate" sends one key per action (a second click while it runs sends the same key, so the
// server charges once). A blocked generation opens the upgrade modal.
(function () {
  "use strict";
  var catalog = window.STUDIO_CATALOG || [];
  var form = document.getElementById("generate-form");
  var kind = document.getElementById("kind");
  var model = document.getElementById("model");
  var resolution = document.getElementById("resolution");
  var seconds = document.getElementById("seconds");
  var variants = document.getElementById("variants");
  var reshot = document.getElementById("reshot");
  var outcome = document.getElementById("outcome");
  var button = document.getElementById("generate");
  var result = document.getElementById("result");
  var dialog = document.getElementById("upgrade");
  var key = form.dataset.key;
  var running = 0;

  function kindOf(name) {
    return catalog.filter(function (k) { return k.name === name; })[0];
  }
  function modelOf(k, name) {
    return k.models.filter(function (m) { return m.name === name; })[0];
  }
  function fill(select, values) {
    var previous = select.value;
    select.innerHTML = "";
    values.forEach(function (v) {
      var o = document.createElement("option");
      o.value = v;
      o.textContent = v;
      select.appendChild(o);
    });
    if (values.indexOf(previous) >= 0) {
      select.value = previous;
    }
  }
  function showField(id, shown) {
    var field = document.getElementById(id);
    field.hidden = !shown;
    field.querySelectorAll("input, select").forEach(function (el) { el.disabled = !shown; });
  }
  function syncOptions() {
    var k = kindOf(kind.value);
    fill(model, k.models.map(function (m) { return m.name; }));
    var m = modelOf(k, model.value);
    fill(resolution, m.resolutions);
    showField("resolution-field", m.resolutions.length > 0);
    showField("seconds-field", k.timed);
  }
  function params() {
    var p = new URLSearchParams();
    p.set("kind", kind.value);
    p.set("model", model.value);
    if (!resolution.disabled) { p.set("resolution", resolution.value); }
    if (!seconds.disabled) { p.set("seconds", seconds.value); }
    p.set("variants", variants.value);
    p.set("reshot", reshot.checked ? "true" : "false");
    return p;
  }
  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) { el.className = className; }
    return el;
  }

  var estimateSeq = 0;
  function estimate() {
    var seq = ++estimateSeq;
    fetch("/api/estimate?" + params().toString(), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (seq !== estimateSeq) { return; }
        var error = document.getElementById("estimate-error");
        var tbody = document.querySelector("#estimate-lines tbody");
        tbody.innerHTML = "";
        if (!res.ok) {
          error.textContent = res.body.message;
          error.hidden = false;
          document.getElementById("estimate-total").textContent = "–";
          return;
        }
        error.hidden = true;
        res.body.lines.forEach(function (line) {
          var tr = document.createElement("tr");
          tr.appendChild(text("td", line.label));
          tr.appendChild(text("td", line.detail));
          tr.appendChild(text("td", line.credits, "num"));
          tbody.appendChild(tr);
        });
        document.getElementById("estimate-total").textContent = String(res.body.total);
        form.dataset.estimate = String(res.body.total);
      });
  }

  function openModal(view) {
    var credits = dialog.querySelector("[data-variant=credits]");
    var tier = dialog.querySelector("[data-variant=tier]");
    if (view.offer) {
      credits.hidden = false;
      tier.hidden = true;
      dialog.setAttribute("aria-labelledby", "upgrade-title");
      dialog.setAttribute("aria-describedby", "upgrade-lead");
      document.getElementById("modal-balance").textContent = String(view.offer.available);
      document.getElementById("modal-estimate").textContent = String(view.offer.estimate);
      document.getElementById("modal-shortfall").textContent = String(view.offer.shortfall);
      var tiers = document.getElementById("modal-tiers");
      tiers.innerHTML = "";
      view.offer.tiers.forEach(function (t) {
        var li = document.createElement("li");
        li.dataset.tier = t.id;
        li.appendChild(text("strong", t.name));
        li.appendChild(text("span", t.monthlyCredits + " credits a month" + (t.price ? ", " + t.price : "")));
        if (t.current) { li.appendChild(text("span", "Your plan", "badge")); }
        else if (t.coversShortfall) { li.appendChild(text("span", "Covers this generation", "badge")); }
        tiers.appendChild(li);
      });
      var packs = document.getElementById("modal-packs");
      packs.innerHTML = "";
      view.offer.packs.forEach(function (p) {
        var li = document.createElement("li");
        li.dataset.pack = p.id;
        li.appendChild(text("strong", p.credits + " credits"));
        li.appendChild(text("span", p.price + ", never expire"));
        packs.appendChild(li);
      });
      document.getElementById("modal-packs-section").hidden = view.offer.packs.length === 0;
    } else {
      credits.hidden = true;
      tier.hidden = false;
      dialog.setAttribute("aria-labelledby", "tier-title");
      dialog.setAttribute("aria-describedby", "tier-lead");
      document.getElementById("tier-title").textContent = view.needs.lowestTier + " or higher is needed";
      document.getElementById("tier-lead").textContent = "Your plan, " + view.needs.currentTier
        + ", does not include " + view.needs.option + ". Nothing was charged.";
    }
    dialog.showModal();
    // The title takes the focus, so the numbers are read (and, on a phone, seen) first; Tab reaches the actions.
    document.getElementById(view.offer ? "upgrade-title" : "tier-title").focus();
    dialog.scrollTop = 0;
  }

  function generate(event) {
    event.preventDefault();
    var body = {
      key: key, kind: kind.value, model: model.value,
      resolution: resolution.disabled ? null : resolution.value,
      seconds: seconds.disabled ? null : Number(seconds.value),
      variants: Number(variants.value), reshot: reshot.checked, outcome: outcome.value
    };
    var sentKey = key;
    running++;
    button.setAttribute("aria-busy", "true");
    result.textContent = "Generating…";
    fetch("/api/generations", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    })
      .then(function (r) { return r.json().then(function (view) { return { ok: r.ok, view: view }; }); })
      .then(function (res) {
        form.dataset.responses = String(Number(form.dataset.responses || 0) + 1);
        if (sentKey === key && res.ok && res.view.status !== "blocked" && res.view.status !== "not-in-tier") {
          key = "gen-" + (window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
          form.dataset.key = key;
        }
        result.textContent = res.ok ? res.view.message : res.view.message || "The generation could not start.";
        result.dataset.status = res.ok ? res.view.status : "error";
        if (res.ok && (res.view.status === "blocked" || res.view.status === "not-in-tier")) {
          result.textContent = res.view.message;
          openModal(res.view);
        }
        estimate();
      })
      .catch(function () {
        result.textContent = "The connection dropped. Generate again: it will not be charged twice.";
      })
      .finally(function () {
        if (--running === 0) { button.removeAttribute("aria-busy"); }
      });
  }

  dialog.addEventListener("close", function () { button.focus(); });
  // Tab and Shift+Tab cycle within the open modal instead of leaving it for the browser's own controls.
  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") { return; }
    var focusable = Array.prototype.filter.call(dialog.querySelectorAll("a[href], button, input, select"),
      function (el) { return !el.disabled && el.offsetParent !== null; });
    if (focusable.length === 0) { return; }
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && (document.activeElement === first || focusable.indexOf(document.activeElement) < 0)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  document.getElementById("modal-dismiss").addEventListener("click", function () { dialog.close(); });
  kind.addEventListener("change", function () { syncOptions(); estimate(); });
  model.addEventListener("change", function () { syncOptions(); estimate(); });
  [resolution, seconds, variants, reshot].forEach(function (el) { el.addEventListener("change", estimate); });
  seconds.addEventListener("input", estimate);
  variants.addEventListener("input", estimate);
  form.addEventListener("submit", generate);
  syncOptions();
  estimate();
})();
