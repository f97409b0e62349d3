// The analytics console's charts: the page carries them as JSON
// (#analytics-charts); Apache ECharts (static/vendor) draws each into its
// #chart-<id> box. Without JavaScript the tables below say the same.
(function () {
  "use strict";
  var data = document.getElementById("analytics-charts");
  if (!data || !window.echarts) return;
  var charts = JSON.parse(data.textContent || "[]") || [];
  var palette = ["#ff2442", "#3b82f6", "#10b981", "#f59e0b", "#8b5cf6", "#14b8a6", "#ef4444"];
  var drawn = [];
  charts.forEach(function (c) {
    var el = document.getElementById("chart-" + c.id);
    if (!el) return;
    var ch = echarts.init(el, null, { renderer: "svg" });
    var fmt = c.pct ? function (v) { return v < 0 ? "–" : (v * 100).toFixed(1) + "%"; } : null;
    var opt = { color: palette, animation: false, tooltip: { trigger: c.type === "pie" || c.type === "funnel" ? "item" : "axis", valueFormatter: fmt || undefined } };
    if (c.type === "pie" || c.type === "funnel") {
      opt.legend = { bottom: 0, type: "scroll" };
      opt.series = [{ type: c.type, name: c.series[0].name, radius: c.type === "pie" ? ["35%", "65%"] : undefined,
        sort: c.type === "funnel" ? "none" : undefined, label: { show: true, formatter: c.type === "funnel" ? "{b}: {c}" : "{b}: {d}%" },
        data: c.x.map(function (x, i) { return { name: x, value: c.series[0].data[i] }; }) }];
    } else {
      opt.legend = { top: 0, type: "scroll" };
      opt.grid = { left: 48, right: 16, top: 32, bottom: 40 };
      opt.xAxis = { type: "category", data: c.x };
      opt.yAxis = { type: "value", axisLabel: fmt ? { formatter: fmt } : {} };
      opt.series = c.series.map(function (s) {
        return { type: c.type, name: s.name, showSymbol: false, stack: c.id === "campaign" ? "days" : undefined,
          data: s.data.map(function (v) { return c.pct && v < 0 ? null : v; }) };
      });
    }
    ch.setOption(opt);
    drawn.push(ch);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
