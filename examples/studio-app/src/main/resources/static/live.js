// The live balance: the server pushes the user menu after every committed change to the account
// (GET /events, server-sent events); this fills it in without a reload, in every open tab.
(function () {
  "use strict";
  var header = document.querySelector("[data-live-menu]");
  if (!header || !window.EventSource) {
    return;
  }
  function set(id, value) {
    var el = document.getElementById(id);
    if (el) {
      el.textContent = String(value);
    }
  }
  var source = new EventSource("/events");
  source.addEventListener("balance", function (event) {
    var m = JSON.parse(event.data);
    set("balance-available", m.available);
    set("balance-held", m.held);
    document.getElementById("balance-held-badge").hidden = m.held === 0;
    set("menu-available", m.available);
    set("menu-held", m.held);
    set("menu-tier", m.tier);
    set("menu-used-label", m.paid ? "Used this cycle" : "Used so far");
    set("menu-used", m.used);
    set("menu-remaining", m.paid ? m.monthlyRemaining + " of " + m.monthlyAllowance : "No monthly allowance on Free");
    set("menu-free", m.freeCredits);
    header.dataset.live = "open";
    document.dispatchEvent(new CustomEvent("studio:balance", { detail: m }));
  });
  source.addEventListener("error", function () {
    header.dataset.live = "reconnecting";  // EventSource reconnects by itself
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
