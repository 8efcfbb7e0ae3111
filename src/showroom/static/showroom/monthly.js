/* Monthly statistics: first visits per day as bars, the retention rate as a line. */
(function () {
  var el = document.getElementById("daily-chart");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(document.getElementById("daily-chart-data").textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [data.first_label, data.retention_label] },
    grid: { left: 40, right: 48, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.days },
    yAxis: [
      { type: "value", minInterval: 1 },
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
    ],
    series: [
      { name: data.first_label, type: "bar", data: data.first, itemStyle: { color: "#0b5cad" } },
      { name: data.retention_label, type: "line", yAxisIndex: 1, data: data.retention, connectNulls: false, itemStyle: { color: "#b35c00" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
