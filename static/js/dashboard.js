// The dashboard's QCDR matrix: a row's button loads the project's QCDR reasons into the row below it
// (htmx), a second click folds it back without a request, and one row is open at a time (the reasons
// fragment has fixed ids).
(function () {
  "use strict";

  function collapse(button) {
    var row = document.getElementById(button.getAttribute("data-drill"));
    button.setAttribute("aria-expanded", "false");
    if (!row) { return; }
    row.hidden = true;
    var panel = row.querySelector(".drill-panel");
    if (panel) { panel.replaceChildren(); }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = event.detail.elt;
    if (!button.matches || !button.matches("[data-drill]")) { return; }
    if (button.getAttribute("aria-expanded") === "true") {
      event.preventDefault();
      collapse(button);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var button = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!button || !button.matches || !button.matches("[data-drill]")) { return; }
    document.querySelectorAll("[data-drill][aria-expanded='true']").forEach(function (other) {
      if (other !== button) { collapse(other); }
    });
    var row = document.getElementById(button.getAttribute("data-drill"));
    if (row) { row.hidden = false; }
    button.setAttribute("aria-expanded", "true");
  });
})();
