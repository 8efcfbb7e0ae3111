/* The wall board's funnel chart, drawn again whenever htmx swaps in a fresh panel. */
(function () {
  "use strict";
  var chart = null;

  function draw() {
    var el = document.getElementById("board-funnel");
    var source = document.getElementById("board-funnel-data");
    if (!el || !source || !window.echarts) { return; }
    if (chart) { chart.dispose(); }
    var data = JSON.parse(source.textContent);
    var max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
    var size = Math.max(14, Math.round(Math.min(window.innerWidth, window.innerHeight) * 0.028));
    chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      series: [{
        type: "funnel", sort: "none", min: 0, max: max, minSize: "12%", gap: 3,
        left: "2%", right: "2%", top: 4, bottom: 4,
        label: {
          show: true, position: "inside", color: "#0b0f14", fontSize: size, fontWeight: 700,
          formatter: function (p) { return p.name + "  " + p.value; }
        },
        itemStyle: { borderColor: "#0b0f14", borderWidth: 2 },
        color: ["#90caf9", "#4fc3f7", "#4dd0e1", "#80cbc4", "#ffd54f", "#69f0ae", "#b9f6ca"],
        data: data
      }]
    });
  }

  // A poll answered by the login page (the session ended): load the whole page again,
  // which shows the login form instead of a login form inside the board.
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    var url = e.detail.xhr && e.detail.xhr.responseURL;
    if (url && url.indexOf("/kpi/board/") === -1) {
      e.detail.shouldSwap = false;
      window.location.reload();
    }
  });
  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () { if (chart) { chart.resize(); } });
})();
