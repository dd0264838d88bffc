/* Draws the Plotly figures that xmkt_site/charts.py embeds as JSON, with no inline script (see the CSP). */
(function () {
  "use strict";

  function drawCharts(root) {
    if (!window.Plotly) {
      return;
    }
    (root || document).querySelectorAll(".xmkt-chart[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source || element.dataset.drawn === "true") {
        return;
      }
      var payload = JSON.parse(source.textContent);
      window.Plotly.newPlot(element, payload.figure.data || [], payload.figure.layout || {}, payload.config || {});
      element.dataset.drawn = "true";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  } else {
    drawCharts(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
})();
