/**
 * The overview's chart script (served as /suite/assets/overview.js): draws the per-day series
 * embedded in the page as JSON with uPlot. The tables beside the charts carry the same numbers
 * for everyone who does not see the charts.
 */
export const OVERVIEW_JS = `(function () {
  var source = document.getElementById('overview-data');
  if (!source || typeof uPlot === 'undefined') return;
  var data = JSON.parse(source.textContent);
  var colours = ['#0b5cad', '#1d6b2f', '#a4161a', '#8a4b00', '#5b2a86', '#2f4f4f'];
  function draw(id, chart) {
    var target = document.getElementById(id);
    if (!target) return;
    var series = [{}].concat(chart.series.map(function (s, i) { return { label: s.label, stroke: colours[i % colours.length], width: 2 }; }));
    var values = [data.days.map(function (d) { return d * 86400; })].concat(chart.series.map(function (s) { return s.values; }));
    new uPlot({ width: Math.max(320, Math.min(target.clientWidth || 800, 960)), height: 260, series: series, scales: { x: { time: true } } }, values, target);
  }
  draw('chart-messages', data.messages);
  draw('chart-callbacks', data.callbacks);
})();
`;
