/* Stores side by side: the ranked KPI as horizontal bars, best at the top. */
(function () {
  "use strict";
  var el = document.getElementById("group-chart");
  var source = document.getElementById("group-chart-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  el.style.height = Math.max(220, 28 * data.stores.length + 60) + "px";
  var chart = echarts.init(el);
  var suffix = data.percent ? "%" : "";
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: "value", axisLabel: { formatter: "{value}" + suffix } },
    yAxis: { type: "category", data: data.stores },
    series: [{
      name: data.name, type: "bar", data: data.values, itemStyle: { color: "#0b5cad" },
      label: { show: true, position: "right", formatter: function (p) { return p.value === null ? "—" : p.value + suffix; } }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
