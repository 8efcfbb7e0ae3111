/* Value: the chosen measure per consultant or month as bars. */
(function () {
  var el = document.getElementById("value-chart");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(document.getElementById("value-chart-data").textContent);
  var chart = echarts.init(el);
  chart.setOption({
    title: { text: data.title, textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis" },
    grid: { left: 56, right: 16, top: 40, bottom: 30, containLabel: true },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0 } },
    yAxis: { type: "value" },
    series: [{ type: "bar", data: data.values, itemStyle: { color: "#0b5cad" }, label: { show: true, position: "top" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
