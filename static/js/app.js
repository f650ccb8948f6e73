// Small behaviours without inline scripts (the CSP forbids them).
(function () {
  "use strict";
  // Selects marked data-autosubmit submit their form when changed (language switch).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) {
      event.target.form.submit();
    }
  });
  // Tabs loaded through htmx: mark the clicked tab as current.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var tab = event.detail.elt;
    if (!tab.matches || !tab.matches("[data-tab]")) { return; }
    tab.closest(".nav").querySelectorAll("[data-tab]").forEach(function (other) {
      other.classList.remove("active");
      other.removeAttribute("aria-current");
    });
    tab.classList.add("active");
    tab.setAttribute("aria-current", "page");
    // A tab grouped in a menu: its menu's toggle shows as current too, named after the tab.
    tab.closest(".nav").querySelectorAll(".dropdown-toggle").forEach(function (toggle) {
      var menu = toggle.closest(".dropdown");
      var inside = menu.contains(tab);
      toggle.classList.toggle("active", inside);
      if (!toggle.dataset.label) { toggle.dataset.label = toggle.textContent; }
      toggle.textContent = inside ? tab.textContent : toggle.dataset.label;
    });
  });
  // Confirm dangerous actions (archive) declared with data-confirm.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
