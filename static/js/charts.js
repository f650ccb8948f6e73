// Draws the plotly charts of a page without inline script (the CSP forbids it).
// A chart is an element with data-plotly="<id of a JSON data block>"; the block holds
// {"data": [...], "layout": {...}, "config": {...}} as built by projects/charts.py.
// Charts are drawn on first load and in every fragment htmx swaps in, and purged before htmx
// removes them (plotly keeps resize listeners otherwise).
(function () {
  "use strict";
  // plotly.js (4.8 MB) is fetched only when a page actually shows a chart: the URL comes from
  // this script tag's data-plotly-src, so the Synthèse tab never pays for it.
  var plotlySrc = document.currentScript && document.currentScript.getAttribute("data-plotly-src");
  var loading = null;

  function withPlotly(callback) {
    if (window.Plotly) { callback(); return; }
    if (!plotlySrc) { return; }
    if (!loading) {
      loading = document.createElement("script");
      loading.src = plotlySrc;
      document.head.appendChild(loading);
    }
    loading.addEventListener("load", callback);
  }

  function chartsIn(root) {
    if (!root || !root.querySelectorAll) { return []; }
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-plotly]"));
    if (root.matches && root.matches("[data-plotly]")) { found.unshift(root); }
    return found;
  }

  function draw(element) {
    if (element.getAttribute("data-plotly-drawn") === "true" || !window.Plotly) { return; }
    var source = document.getElementById(element.getAttribute("data-plotly"));
    if (!source) { return; }
    var figure;
    try {
      figure = JSON.parse(source.textContent);
    } catch (error) {
      console.error("charts.js: invalid figure JSON in #" + source.id, error);
      return;
    }
    element.setAttribute("data-plotly-drawn", "true");
    window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, figure.config || {})
      .then(function () { element.style.minHeight = ""; });
  }

  function drawAll(root) {
    var charts = chartsIn(root);
    if (charts.length) { withPlotly(function () { charts.forEach(draw); }); }
  }

  // htmx fires htmx:load on the body at start-up and on every piece of new content it swaps in.
  document.addEventListener("htmx:load", function (event) { drawAll(event.detail.elt); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.detail.elt); });
  // htmx cleans up every element it removes, one event per element: purge the drawn charts.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var element = event.detail.elt;
    if (element.getAttribute && element.getAttribute("data-plotly-drawn") === "true" && window.Plotly) {
      window.Plotly.purge(element);
    }
  });
  // Without htmx (or before it starts), the first load still gets its charts.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();
