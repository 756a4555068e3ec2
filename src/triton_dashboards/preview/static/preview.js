/* Draws a triton-dashboards preview page from the data embedded in it.
 *
 * Every number and label arrives formatted (triton_dashboards.preview.views); this script
 * only places and draws: uPlot for time series, HTML for stats, gauges, bar gauges, tables
 * and text. Each panel element gets data-drawn = canvas | value | table | text | box |
 * nodata once drawn, and <body data-ready="1"> when all are, so a browser test can check
 * the page without guessing. Errors are collected in window.previewErrors and shown.
 */
(function () {
  "use strict";
  window.previewErrors = [];
  const page = JSON.parse(document.getElementById("preview-data").textContent);

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function frame(panel, box) {
    const head = el("div", "panel-title");
    head.appendChild(el("span", null, panel.title));
    if (panel.description) head.title = panel.description;
    if (panel.errors && panel.errors.length) {
      const warn = el("span", "panel-error", "!");
      warn.title = panel.errors.join("\n");
      head.appendChild(warn);
    }
    box.appendChild(head);
    const body = el("div", "panel-body");
    box.appendChild(body);
    return body;
  }

  function noData(panel, body) {
    body.appendChild(el("div", "no-data", panel.noData || "No data"));
    return "nodata";
  }

  function arrange(grid, n) {
    // Grafana fits every value of a stat into the panel: the columns that leave each
    // value the largest box (a value is about 2.5 times as wide as it is high).
    let best = 1, largest = 0;
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      const size = Math.min(grid.clientWidth / cols / 2.5, grid.clientHeight / rows);
      if (size > largest) { largest = size; best = cols; }
    }
    grid.style.gridTemplateColumns = "repeat(" + best + ", minmax(0, 1fr))";
    grid.style.gridTemplateRows = "repeat(" + Math.ceil(n / best) + ", minmax(0, 1fr))";
  }

  function fitText(node, box, max) {
    // Grafana sizes a stat's value to its box; a simple version of the same idea.
    const name = box.querySelector(".stat-name");
    let size = Math.min(max, (box.clientHeight - (name ? name.offsetHeight : 0)) * 0.7);
    node.style.fontSize = size + "px";
    while (size > 10 && node.scrollWidth > box.clientWidth * 0.95) {
      size -= 2;
      node.style.fontSize = size + "px";
    }
  }

  function sparkline(values, color) {
    if (!values || values.length < 2) return null;
    // From zero, as Grafana's sparkline: a steady value is a flat line, not magnified noise.
    const low = Math.min(0, Math.min.apply(null, values)), high = Math.max.apply(null, values);
    const span = high - low || 1;
    const points = values.map(function (v, i) {
      return (i / (values.length - 1)) * 100 + "," + (100 - ((v - low) / span) * 80 - 10);
    });
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 100 100");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("class", "spark");
    const area = document.createElementNS(ns, "polygon");
    area.setAttribute("points", "0,100 " + points.join(" ") + " 100,100");
    area.setAttribute("fill", color);
    area.setAttribute("fill-opacity", "0.25");
    svg.appendChild(area);
    return svg;
  }

  function drawStat(panel, body) {
    if (!panel.values.length) return noData(panel, body);
    const grid = el("div", "stat-grid");
    body.appendChild(grid);
    arrange(grid, panel.values.length);
    panel.values.forEach(function (v, i) {
      const cell = el("div", "stat");
      const value = el("div", "stat-value", v.text);
      value.dataset.value = v.text;
      if (panel.colorMode === "background") {
        cell.style.background = v.color;
        value.style.color = "#fff";
      } else {
        value.style.color = v.color;
      }
      const spark = sparkline(panel.spark[i], panel.colorMode === "background" ? "#fff" : v.color);
      if (spark) cell.appendChild(spark);
      if (panel.values.length > 1 && v.name) cell.appendChild(el("div", "stat-name", v.name));
      cell.appendChild(value);
      grid.appendChild(cell);
      fitText(value, cell, 48);
    });
    return "value";
  }

  function drawGauge(panel, body) {
    if (!panel.values.length) return noData(panel, body);
    const grid = el("div", "stat-grid");
    body.appendChild(grid);
    arrange(grid, panel.values.length);
    panel.values.forEach(function (v) {
      const cell = el("div", "gauge");
      const dial = el("div", "gauge-dial");
      // A 240 degree arc: the thresholds' colours on the rim, the value's fill inside.
      const rim = panel.steps.map(function (s, i) {
        const next = i + 1 < panel.steps.length ? panel.steps[i + 1].from : 1;
        return s.color + " " + s.from * 240 + "deg " + next * 240 + "deg";
      });
      dial.style.background =
        "conic-gradient(from -120deg, " + v.color + " 0deg " + v.fraction * 240 + "deg, " +
        "#2c3235 " + v.fraction * 240 + "deg 240deg, transparent 240deg)";
      const rimNode = el("div", "gauge-rim");
      rimNode.style.background = "conic-gradient(from -120deg, " + rim.join(", ") +
        ", transparent 240deg)";
      const value = el("div", "gauge-value", v.text);
      value.dataset.value = v.text;
      value.style.color = v.color;
      cell.appendChild(rimNode);
      cell.appendChild(dial);
      cell.appendChild(value);
      grid.appendChild(cell);
      const size = Math.min(cell.clientWidth, cell.clientHeight * 1.4) * 0.9;
      [rimNode, dial].forEach(function (n) {
        n.style.width = n.style.height = size + "px";
      });
      fitText(value, cell, 32);
    });
    return "value";
  }

  function drawBars(panel, body) {
    if (!panel.bars.length) return noData(panel, body);
    const list = el("div", "bars");
    body.appendChild(list);
    panel.bars.forEach(function (b) {
      const row = el(b.href ? "a" : "div", "bar-row");
      if (b.href) row.href = b.href;
      row.appendChild(el("div", "bar-name", b.name));
      const track = el("div", "bar-track");
      const fill = el("div", "bar-fill");
      fill.style.width = Math.max(0.5, b.fraction * 100) + "%";
      fill.style.background = panel.displayMode === "gradient"
        ? "linear-gradient(90deg, " + b.color + "55, " + b.color + ")" : b.color;
      track.appendChild(fill);
      const value = el("div", "bar-value", b.text);
      value.dataset.value = b.text;
      value.style.color = b.color;
      row.appendChild(track);
      row.appendChild(value);
      list.appendChild(row);
    });
    return "value";
  }

  function drawTable(panel, body) {
    if (!panel.rows.length) return noData(panel, body);
    const table = el("table", "data");
    const head = el("tr");
    panel.columns.forEach(function (c) { head.appendChild(el("th", null, c)); });
    table.appendChild(head);
    panel.rows.forEach(function (row) {
      const tr = el("tr");
      row.forEach(function (cell) {
        const td = el("td");
        if (cell.href) {
          const a = el("a", null, cell.text);
          a.href = cell.href;
          td.appendChild(a);
        } else {
          td.textContent = cell.text;
        }
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    body.appendChild(table);
    return "table";
  }

  function clock(seconds) {
    // Grafana's time axis within a day: 24-hour HH:mm. Pages show UTC, as their header says.
    const d = new Date(seconds * 1000);
    return String(d.getUTCHours()).padStart(2, "0") + ":" + String(d.getUTCMinutes()).padStart(2, "0");
  }

  function legend(panel) {
    const table = el("table", "legend");
    if (panel.legend.calcs.length) {
      const head = el("tr");
      head.appendChild(el("th"));
      panel.legend.calcs.forEach(function (c) { head.appendChild(el("th", null, c)); });
      table.appendChild(head);
    }
    panel.series.forEach(function (s) {
      const tr = el("tr");
      const name = el("td", "legend-name");
      const mark = el("span", "legend-mark");
      mark.style.background = s.color;
      name.appendChild(mark);
      name.appendChild(document.createTextNode(s.name));
      tr.appendChild(name);
      s.calcs.forEach(function (c) { tr.appendChild(el("td", "legend-calc", c)); });
      table.appendChild(tr);
    });
    return table;
  }

  function drawTimeSeries(panel, body) {
    const drawn = panel.series.filter(function (s) {
      return s.values.some(function (v) { return v !== null; });
    });
    if (!panel.times.length || !drawn.length) return noData(panel, body);
    const chart = el("div", "chart");
    body.appendChild(chart);
    let key = null;
    if (panel.legend.show) {
      key = el("div", "legend-box");
      key.appendChild(legend(panel));
      body.appendChild(key);
    }
    const height = Math.max(60, body.clientHeight - (key ? key.offsetHeight : 0));
    const axis = panel.axis;
    const series = [{}];
    const bands = [];
    panel.series.forEach(function (s, i) {
      const spec = {
        label: s.name,
        stroke: s.color,
        width: panel.lineWidth,
        points: { show: false },
        spanGaps: false,
      };
      if (panel.fill > 0) spec.fill = s.color + Math.round(panel.fill * 255).toString(16).padStart(2, "0");
      if (panel.bars) spec.paths = uPlot.paths.bars({ size: [0.6, 100] });
      series.push(spec);
      if (panel.stacked && i > 0) bands.push({ series: [i + 1, i] });
    });
    const options = {
      width: chart.clientWidth,
      padding: [8, 24, 0, 0],
      height: height,
      legend: { show: false },
      cursor: { show: false },
      series: series,
      bands: bands,
      scales: { y: { range: [axis.min, axis.max] } },
      axes: [
        {
          stroke: "#ccccdc",
          grid: { stroke: "#ccccdc1a" },
          ticks: { stroke: "#ccccdc1a" },
          values: function (u, splits) { return splits.map(clock); },
        },
        {
          stroke: "#ccccdc",
          grid: { stroke: "#ccccdc1a" },
          ticks: { stroke: "#ccccdc1a" },
          splits: function () { return axis.ticks; },
          values: function () { return axis.labels; },
          size: 16 + 8 * Math.max.apply(null, axis.labels.map(function (l) { return l.length; })),
        },
      ],
    };
    const data = [panel.times].concat(panel.series.map(function (s) { return s.values; }));
    chart.plot = new uPlot(options, data, chart); // tests read the drawn series from here
    return "canvas";
  }

  const DRAW = {
    timeseries: drawTimeSeries,
    stat: drawStat,
    gauge: drawGauge,
    bargauge: drawBars,
    table: drawTable,
    text: function (panel, body) {
      const text = el("div", "text");
      text.innerHTML = panel.html; // built from escaped text in Python (preview.markdown)
      body.appendChild(text);
      return "text";
    },
    unsupported: function (panel, body) {
      body.appendChild(el("div", "unsupported", "Panel kind '" + panel.type + "' is not drawn in a preview"));
      return "box";
    },
  };

  const grid = document.getElementById("grid");
  page.panels.forEach(function (panel) {
    const box = el("div", panel.kind === "row" ? "row-title" : "panel");
    box.style.left = "calc(" + panel.x + " / 24 * (100% + 8px))";
    box.style.width = "calc(" + panel.w + " / 24 * (100% + 8px) - 8px)";
    box.style.top = panel.y * 38 + "px";
    box.style.height = panel.h * 38 - 8 + "px";
    box.dataset.kind = panel.kind;
    box.dataset.title = panel.title;
    if (panel.id !== undefined && panel.id !== null) box.dataset.panelId = panel.id;
    grid.appendChild(box);
    if (panel.kind === "row") {
      box.textContent = panel.title;
      box.dataset.drawn = "row";
      return;
    }
    try {
      box.dataset.drawn = DRAW[panel.kind](panel, frame(panel, box));
    } catch (e) {
      window.previewErrors.push(panel.title + ": " + e);
      box.dataset.drawn = "error";
      box.appendChild(el("div", "panel-error-text", String(e)));
    }
  });
  grid.style.height = page.height * 38 + "px";
  document.body.dataset.ready = "1";
})();
