//! The timeline as one self-contained HTML page (no network: no external script, style
//! or font): the SVG of `svg.rs`, then a small script that redraws it from the slices
//! embedded in the page as JSON, with zoom (the wheel, or the buttons) and pan (drag),
//! and the details of the slice under the pointer (or the one clicked, which stays):
//! thread, state, start, duration, source line, instructions, what it was blocked on.

use super::perfetto::json_string;
use super::svg;
use super::timeline::{Activity, Timeline};
use std::collections::HashMap;
use std::fmt::Write;

/// The slices, handoffs and geometry the script draws from.
fn data(timeline: &Timeline) -> String {
    let mut strings: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut intern = |s: &str| -> usize {
        if let Some(&i) = index.get(s) {
            return i;
        }
        strings.push(s.to_string());
        index.insert(s.to_string(), strings.len() - 1);
        strings.len() - 1
    };
    let mut slices = String::new();
    for s in &timeline.slices {
        if s.end_ns == s.start_ns {
            continue;
        }
        let on = match &s.activity {
            Activity::Blocked(on) => intern(on) as i64,
            _ => -1,
        };
        if !slices.is_empty() {
            slices.push(',');
        }
        let _ = write!(
            slices,
            "[{},{},{},{},{},{},{},{on}]",
            s.thread,
            s.activity.code(),
            s.start_ns,
            s.end_ns,
            s.line,
            s.end_line,
            s.instructions
        );
    }
    let mut handoffs = String::new();
    for h in &timeline.handoffs {
        let reason = intern(&h.reason);
        if !handoffs.is_empty() {
            handoffs.push(',');
        }
        let _ = write!(handoffs, "[{},{},{},{reason}]", h.at_ns, h.from, h.to);
    }
    let tracks: Vec<String> = timeline
        .tracks
        .iter()
        .map(|t| json_string(&t.name))
        .collect();
    let strings: Vec<String> = strings.iter().map(|s| json_string(s)).collect();
    let classes: Vec<String> = svg::CLASSES.iter().map(|s| json_string(s)).collect();
    let labels: Vec<String> = svg::LABELS.iter().map(|s| json_string(s)).collect();
    let json = format!(
        "{{\"title\":{},\"clock\":{},\"end\":{},\"cut\":{},\"tracks\":[{}],\"slices\":[{slices}],\"handoffs\":[{handoffs}],\"strings\":[{}],\"classes\":[{}],\"labels\":[{}],\"geometry\":{{\"label\":{},\"plot\":{},\"row\":{},\"gap\":{},\"top\":{}}}}}",
        json_string(&timeline.title),
        json_string(timeline.clock),
        timeline.end_ns.max(1),
        timeline
            .cut_ns
            .map_or_else(|| "null".to_string(), |c| c.to_string()),
        tracks.join(","),
        strings.join(","),
        classes.join(","),
        labels.join(","),
        svg::LABEL_WIDTH,
        svg::PLOT_WIDTH,
        svg::ROW_HEIGHT,
        svg::ROW_GAP,
        svg::TOP
    );
    // Inside <script>, "</" would end the element.
    json.replace("</", "<\\/")
}

const PAGE_STYLE: &str = "body{font-family:sans-serif;margin:16px;color:#222}\
#controls{margin-bottom:6px}#controls button{font-size:14px;margin-right:4px;padding:2px 10px}\
#view{margin-left:10px;color:#555}.hint{margin-left:16px;color:#777;font-size:13px}\
#timeline{border:1px solid #ddd;cursor:grab;user-select:none;display:block}\
#details{margin-top:8px;padding:8px 10px;border:1px solid #ccc;background:#fafafa;\
min-height:3em;white-space:pre-line;font-size:14px;max-width:1160px}\
.selected{fill:none;stroke:#000;stroke-width:2}";

const SCRIPT: &str = r#"
(function () {
  const data = JSON.parse(document.getElementById('data').textContent);
  const g = data.geometry;
  const svg = document.getElementById('timeline');
  const plot = document.getElementById('plot');
  const details = document.getElementById('details');
  const NS = 'http://www.w3.org/2000/svg';
  const byThread = data.tracks.map(() => []);
  for (const s of data.slices) byThread[s[0]].push(s);
  let view = [0, data.end];
  let pinned = null;

  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(ns) {
    if (ns < 1e3) return ns.toFixed(0) + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(3) + ' \u00b5s';
    if (ns < 1e9) return (ns / 1e6).toFixed(3) + ' ms';
    return (ns / 1e9).toFixed(3) + ' s';
  }
  function tickLabel(t, step) {
    const u = step < 1e3 ? ['ns', 1] : step < 1e6 ? ['\u00b5s', 1e3] : step < 1e9 ? ['ms', 1e6] : ['s', 1e9];
    return String(+(t / u[1]).toFixed(3)) + ' ' + u[0];
  }
  // One row's pixel columns: the state with most time, split with a second that had a quarter.
  function runs(t, t0, t1, width) {
    const span = Math.max(t1 - t0, 1);
    const cols = new Float64Array(width * 4);
    const list = byThread[t];
    let lo = 0, hi = list.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (list[m][3] <= t0) lo = m + 1; else hi = m; }
    for (let i = lo; i < list.length && list[i][2] < t1; i++) {
      const s = list[i];
      const a = (Math.max(s[2], t0) - t0) / span * width, b = (Math.min(s[3], t1) - t0) / span * width;
      for (let c = Math.floor(a); c < Math.min(Math.ceil(b), width); c++) {
        const o = Math.min(b, c + 1) - Math.max(a, c);
        if (o > 0) cols[c * 4 + s[1]] += o;
      }
    }
    const out = [];
    for (let c = 0; c < width; c++) {
      const v = [0, 1, 2, 3].map(k => cols[c * 4 + k]);
      const total = v[0] + v[1] + v[2] + v[3];
      if (total <= 0) continue;
      const order = [0, 1, 2, 3].sort((x, y) => v[y] - v[x] || x - y);
      const share = v[order[1]] / total;
      const second = share >= 0.25 ? [order[1], Math.round(share * 4)] : null;
      const last = out[out.length - 1];
      if (last && last.x1 === c && last.main === order[0] &&
          JSON.stringify(last.second) === JSON.stringify(second)) last.x1 = c + 1;
      else out.push({x0: c, x1: c + 1, main: order[0], second: second});
    }
    return out;
  }
  function ticks(t0, t1, count) {
    const raw = Math.max((t1 - t0) / count, 1);
    let step = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) { if (step * m >= raw) { step *= m; break; } }
    const marks = [];
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) marks.push(t);
    return [step, marks];
  }
  function rowY(t) { return g.top + t * (g.row + g.gap); }
  function draw() {
    const [t0, t1] = view;
    const width = Math.floor(g.plot);
    const scale = g.plot / Math.max(t1 - t0, 1);
    while (plot.firstChild) plot.removeChild(plot.firstChild);
    data.tracks.forEach((name, t) => {
      const y = rowY(t);
      const row = el('g', {'class': 'row', 'data-thread': t});
      row.appendChild(el('text', {x: g.label - 8, y: y + g.row * 0.7, 'text-anchor': 'end', 'class': 'label'}, name));
      row.appendChild(el('rect', {x: g.label, y: y, width: g.plot, height: g.row, 'class': 'track'}));
      for (const r of runs(t, t0, t1, width)) {
        const split = r.second ? g.row * r.second[1] / 4 : 0;
        row.appendChild(el('rect', {x: g.label + r.x0, y: y, width: r.x1 - r.x0, height: g.row - split,
                                    'class': 'slice ' + data.classes[r.main]}));
        if (r.second) row.appendChild(el('rect', {x: g.label + r.x0, y: y + g.row - split, width: r.x1 - r.x0,
                                                  height: split, 'class': 'slice ' + data.classes[r.second[0]]}));
      }
      let lastCol = -1;
      for (const h of data.handoffs) {
        if (h[2] !== t || h[0] < t0 || h[0] > t1) continue;
        const col = Math.floor((h[0] - t0) * scale);
        if (col === lastCol) continue;
        lastCol = col;
        const x = g.label + col + 0.5;
        row.appendChild(el('line', {x1: x, y1: y - 3, x2: x, y2: y + 4, 'class': 'handoff'}));
      }
      plot.appendChild(row);
    });
    const axisY = rowY(data.tracks.length) + 4;
    const axis = el('g', {'class': 'axis'});
    axis.appendChild(el('line', {x1: g.label, y1: axisY, x2: g.label + g.plot, y2: axisY, stroke: '#444'}));
    const [step, marks] = ticks(t0, t1, 8);
    for (const t of marks) {
      const x = g.label + (t - t0) * scale;
      axis.appendChild(el('line', {x1: x, y1: axisY, x2: x, y2: axisY + 5, stroke: '#444'}));
      axis.appendChild(el('text', {x: x, y: axisY + 18, 'text-anchor': 'middle'}, tickLabel(t, step)));
    }
    plot.appendChild(axis);
    if (pinned) outline(pinned);
    document.getElementById('view').textContent =
      'showing ' + fmt(t0) + ' to ' + fmt(t1) + ' of ' + fmt(data.end) + ' (' + data.clock + ' clock)';
  }
  function outline(s) {
    const [t0, t1] = view;
    const scale = g.plot / Math.max(t1 - t0, 1);
    const a = Math.max(s[2], t0), b = Math.min(s[3], t1);
    if (b < a) return;
    plot.appendChild(el('rect', {x: g.label + (a - t0) * scale, y: rowY(s[0]) - 1,
                                 width: Math.max((b - a) * scale, 1), height: g.row + 2, 'class': 'selected'}));
  }
  function toSvg(e) {
    const p = svg.createSVGPoint();
    p.x = e.clientX; p.y = e.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }
  function sliceAt(e) {
    const p = toSvg(e);
    const t = Math.floor((p.y - g.top) / (g.row + g.gap));
    if (t < 0 || t >= data.tracks.length || p.y - rowY(t) > g.row || p.x < g.label || p.x > g.label + g.plot) return null;
    const at = view[0] + (p.x - g.label) / g.plot * (view[1] - view[0]);
    // Within half a pixel: a slice thinner than a pixel can still be picked.
    const slack = (view[1] - view[0]) / g.plot / 2;
    const list = byThread[t];
    let lo = 0, hi = list.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (list[m][3] <= at - slack) lo = m + 1; else hi = m; }
    return lo < list.length && list[lo][2] <= at + slack ? list[lo] : null;
  }
  function describe(s) {
    let text = data.tracks[s[0]] + ': ' + data.labels[s[1]] +
      '\nstart ' + fmt(s[2]) + ', duration ' + fmt(s[3] - s[2]) + ', end ' + fmt(s[3]);
    if (s[4] > 0) text += '\nsource line ' + s[4] + (s[1] === 0 && s[5] > 0 && s[5] !== s[4] ? ' to line ' + s[5] : '');
    if (s[1] === 0) text += '\n' + s[6] + ' counted instructions';
    if (s[7] >= 0) text += '\nblocked on ' + data.strings[s[7]];
    return text;
  }
  function show(s, how) {
    details.textContent = describe(s) + (how ? '\n(' + how + ')' : '');
    details.setAttribute('data-thread', data.tracks[s[0]]);
    details.setAttribute('data-state', data.labels[s[1]]);
  }
  function zoom(factor, centre) {
    const [t0, t1] = view;
    const span = Math.min(Math.max((t1 - t0) * factor, 20), data.end);
    let a = centre - (centre - t0) * span / (t1 - t0);
    a = Math.min(Math.max(a, 0), data.end - span);
    view = [a, a + span];
    draw();
  }
  let drag = null;
  svg.addEventListener('wheel', e => {
    e.preventDefault();
    const p = toSvg(e);
    const centre = view[0] + Math.min(Math.max((p.x - g.label) / g.plot, 0), 1) * (view[1] - view[0]);
    zoom(e.deltaY < 0 ? 0.8 : 1.25, centre);
  }, {passive: false});
  svg.addEventListener('mousedown', e => { drag = {x: e.clientX, view: view.slice(), moved: false}; });
  window.addEventListener('mousemove', e => {
    if (drag) {
      const dx = e.clientX - drag.x;
      if (Math.abs(dx) > 3) drag.moved = true;
      if (!drag.moved) return;
      const span = drag.view[1] - drag.view[0];
      let a = drag.view[0] - dx / g.plot * span;
      a = Math.min(Math.max(a, 0), data.end - span);
      view = [a, a + span];
      draw();
    } else if (!pinned && e.target.closest && e.target.closest('#timeline')) {
      const s = sliceAt(e);
      if (s) show(s, 'hover; click to keep');
    }
  });
  window.addEventListener('mouseup', () => { setTimeout(() => { drag = null; }, 0); });
  svg.addEventListener('click', e => {
    if (drag && drag.moved) return;
    const s = sliceAt(e);
    pinned = s;
    if (s) show(s, 'click elsewhere to let go'); else details.textContent = 'Click a slice for its details.';
    draw();
  });
  document.getElementById('zoom-in').onclick = () => zoom(0.5, (view[0] + view[1]) / 2);
  document.getElementById('zoom-out').onclick = () => zoom(2, (view[0] + view[1]) / 2);
  document.getElementById('reset').onclick = () => { view = [0, data.end]; draw(); };
  draw();
  document.body.setAttribute('data-ready', 'yes');
})();
"#;

pub fn write(timeline: &Timeline) -> String {
    let h = svg::height(timeline.tracks.len());
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{PAGE_STYLE}{}</style>\n</head>\n<body>\n",
        svg::xml_escape(&timeline.title),
        svg::style()
    );
    out.push_str("<div id=\"controls\"><button id=\"zoom-in\">zoom in</button><button id=\"zoom-out\">zoom out</button><button id=\"reset\">whole run</button><span id=\"view\"></span><span class=\"hint\">wheel: zoom; drag: pan; point at or click a slice for its details</span></div>\n");
    let _ = write!(
        out,
        "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n{}\n</svg>\n",
        svg::body(timeline, 0, timeline.end_ns.max(1)),
        w = svg::WIDTH
    );
    out.push_str("<div id=\"details\">Point at a slice, or click one, for its details.</div>\n");
    let _ = write!(
        out,
        "<script id=\"data\" type=\"application/json\">{}</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        data(timeline)
    );
    out
}
