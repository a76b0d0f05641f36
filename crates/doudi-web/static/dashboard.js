// Charts of the dashboard pages (ECharts, vendored): each chart is drawn from the JSON in its
// element's data-chart attribute, which the server builds from the rows of the table beneath it.
// Without JavaScript, or if ECharts fails to load, the tables are the page.
(function () {
  "use strict";
  function draw() {
    if (typeof window.echarts === "undefined") { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec;
      try { spec = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: spec.x, axisLabel: { hideOverlap: true } },
        yAxis: { type: "value" },
        series: spec.series.map(function (s) {
          return {
            name: s.name,
            type: spec.kind,
            data: s.data.map(function (v) { return v === "-" ? null : Number(v); })
          };
        })
      });
      el.classList.add("chart-drawn");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
