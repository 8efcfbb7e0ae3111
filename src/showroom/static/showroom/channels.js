/* The media channels' chart: spend as bars, cost per lead and per sale as lines. */
(function () {
  var el = document.getElementById("channel-chart");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(document.getElementById("channel-chart-data").textContent);
  var spend = el.dataset.spend, perLead = el.dataset.perLead, perSale = el.dataset.perSale;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: [spend, perLead, perSale] },
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: [{ type: "value" }, { type: "value" }],
    series: [
      { name: spend, type: "bar", data: d.spend, itemStyle: { color: "#0b5cad" } },
      { name: perLead, type: "line", yAxisIndex: 1, data: d.per_lead, itemStyle: { color: "#2e8540" } },
      { name: perSale, type: "line", yAxisIndex: 1, data: d.per_delivery, itemStyle: { color: "#b35c00" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
