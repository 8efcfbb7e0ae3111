/* Customer profiles: one stacked bar chart per question. */
(function () {
  if (!window.echarts) { return; }
  var charts = JSON.parse(document.getElementById("profile-charts").textContent);
  var made = [];
  charts.forEach(function (c) {
    var el = document.getElementById("chart-" + c.key);
    if (!el) { return; }
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: c.categories, inverse: true },
      series: c.series.map(function (s) { return { name: s.name, type: "bar", stack: "all", data: s.data }; })
    });
    made.push(chart);
  });
  window.addEventListener("resize", function () { made.forEach(function (ch) { ch.resize(); }); });
})();
