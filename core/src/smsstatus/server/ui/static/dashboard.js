// Draws the delivery-rate chart from the JSON the page embeds (#chart-data).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("chart");
    var source = document.getElementById("chart-data");
    if (!holder || !source || typeof uPlot === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (!data.series.length) {
      holder.textContent = holder.getAttribute("data-empty");
      holder.setAttribute("data-drawn", "empty");
      return;
    }
    var colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
    var series = [{}];
    var columns = [data.x];
    data.series.forEach(function (s, i) {
      series.push({ label: s.vendor, stroke: colours[i % colours.length], width: 2, spanGaps: true,
                    points: { show: true, size: 6 } });
      columns.push(s.rates);
    });
    var options = {
      width: Math.max(480, Math.min(1100, holder.clientWidth || 900)),
      height: 300,
      series: series,
      scales: { y: { range: [0, 100] } },
      axes: [{}, { label: "% delivered", values: function (u, vals) { return vals.map(function (v) { return v + "%"; }); } }],
    };
    new uPlot(options, columns, holder);
    holder.setAttribute("data-drawn", "chart");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
