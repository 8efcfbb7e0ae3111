/* The store dashboard: funnel, trend and heatmap charts (ECharts, served locally), and
   sortable tables. Every chart element links to the rows behind it. */
(function () {
  "use strict";

  function go(url) { if (url) { window.location.href = url; } }

  function funnel(el, data) {
    var chart = echarts.init(el);
    var max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = data[p.dataIndex];
          return d.name + ": " + d.value + (d.conversion === null ? "" : "<br>" + "→ " + d.conversion + "%");
        }
      },
      series: [{
        type: "funnel",
        sort: "none",
        min: 0,
        max: max,
        minSize: "6%",
        // The funnel on the left, each stage's name, count and conversion beside it: read
        // on a phone as on a laptop, however narrow a stage gets.
        left: 4, top: 10, bottom: 10, width: "52%",
        gap: 2,
        label: {
          show: true, position: "right", color: "#1d2733", fontSize: 13,
          formatter: function (p) {
            var d = data[p.dataIndex];
            return d.name + " " + d.value + (d.conversion === null ? "" : "  →" + d.conversion + "%");
          }
        },
        labelLine: { show: true, length: 8, lineStyle: { color: "#9aa8b6" } },
        itemStyle: { borderColor: "#fff", borderWidth: 1 },
        color: ["#5b8def", "#0b5cad", "#1b7f3b", "#3a9d5d", "#b35c00", "#c0392b", "#7b1fa2"],
        data: data.map(function (d) { return { name: d.name, value: d.value }; })
      }]
    });
    chart.on("click", function (p) { go(data[p.dataIndex].url); });
    return chart;
  }

  function trend(el, data) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 44, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, symbolSize: 6 };
      })
    });
    chart.on("click", function (p) { go(data.series[p.seriesIndex].urls[p.dataIndex]); });
    return chart;
  }

  function heatmap(el, data, label) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {
        position: "top",
        formatter: function (p) {
          return data.weekdays[p.value[1]] + " " + data.slots[p.value[0]] + ": " + p.value[2];
        }
      },
      grid: { left: 44, right: 12, top: 8, bottom: 64 },
      xAxis: { type: "category", data: data.slots, splitArea: { show: true } },
      yAxis: { type: "category", data: data.weekdays, inverse: true, splitArea: { show: true } },
      visualMap: {
        min: 0, max: Math.max(data.max, 1), calculable: false, orient: "horizontal",
        left: "center", bottom: 0, itemHeight: 120, text: [String(Math.max(data.max, 1)), "0"],
        inRange: { color: ["#f4f6f8", "#ffd8a8", "#e67814", "#8a3a00"] }
      },
      series: [{
        name: label, type: "heatmap", data: data.cells,
        label: { show: true, formatter: function (p) { return p.value[2] || ""; } },
        emphasis: { itemStyle: { borderColor: "#1d2733", borderWidth: 1 } }
      }]
    });
    chart.on("click", function (p) { go(data.urls[p.value[1]][p.value[0]]); });
    return chart;
  }

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var button = th.querySelector("button.sort");
      if (!button) { return; }
      button.addEventListener("click", function () {
        // First click: best first by the KPI's good direction (down: smallest first).
        var best = th.dataset.good === "down" ? 1 : -1;
        var dir = th.getAttribute("aria-sort") === (best < 0 ? "descending" : "ascending") ? -best : best;
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir < 0 ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col] && a.cells[col].dataset.value;
          var y = b.cells[col] && b.cells[col].dataset.value;
          var nx = x === "" || x === undefined ? null : parseFloat(x);
          var ny = y === "" || y === undefined ? null : parseFloat(y);
          if (nx === null && ny === null) { return 0; }
          if (nx === null) { return 1; }  // nothing to compare: always last
          if (ny === null) { return -1; }
          return dir < 0 ? ny - nx : nx - ny;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function start() {
    document.querySelectorAll("table.sortable").forEach(sortable);
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    var el = document.getElementById("funnel-chart");
    if (el) { charts.push(funnel(el, data.funnel)); }
    el = document.getElementById("trend-chart");
    if (el) { charts.push(trend(el, data.trend)); }
    el = document.getElementById("heat-chart");
    if (el) { charts.push(heatmap(el, data.heatmap, data.labels.rows)); }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
