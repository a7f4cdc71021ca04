// Draws each evaluation's answers (1 to 5 per question) as a stacked bar chart with Chart.js.
// The table under each chart carries the same numbers, so the page is complete without this script.
(function () {
  "use strict";
  if (!window.Chart) return;
  var COLOURS = { 1: "#a40e26", 2: "#e07a5f", 3: "#b8bec6", 4: "#6fa8dc", 5: "#0b5cad" };
  var WORDS = { 1: "1 strongly disagree", 2: "2", 3: "3", 4: "4", 5: "5 strongly agree" };

  // A question's words in lines short enough that the labels take at most ~45% of the chart's width,
  // so on a phone they are wrapped, not cut off at the edge.
  function wrapped(text, width) {
    var most = Math.max(14, Math.floor(width * 0.45 / 7));
    var lines = [], line = "";
    text.split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > most) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines.length > 1 ? lines : text;
  }

  document.querySelectorAll("canvas[data-likert]").forEach(function (canvas) {
    var data = JSON.parse(canvas.getAttribute("data-likert"));
    var width = canvas.parentElement.clientWidth || 360;
    data.labels = data.labels.map(function (label) { return wrapped(label, width); });
    var datasets = Object.keys(data.series).map(function (value) {
      return { label: WORDS[value] || value, data: data.series[value], backgroundColor: COLOURS[value] };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Answers" } },
          y: { stacked: true }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  });

  // The posttest: the share of answers that were right, per question.
  document.querySelectorAll("canvas[data-bars]").forEach(function (canvas) {
    var data = JSON.parse(canvas.getAttribute("data-bars"));
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: "% right", data: data.values, backgroundColor: "#116329" }] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: "% of answers right" } } },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: function (items) { return data.titles[items[0].dataIndex]; } } }
        }
      }
    });
  });
})();
