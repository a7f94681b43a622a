// Charts drawn as inline SVG: no library, no external asset. Every mark carries a <title> (the tooltip) and data-*
// attributes with its value; each chart has a <title>/<desc> and the page adds a data table as the text fallback.
// Colours: the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies.
import { el, svg } from './lib.js';

export const palette = {
  blue: '#0072B2', orange: '#E69F00', green: '#009E73', sky: '#56B4E9', vermillion: '#D55E00', purple: '#CC79A7', yellow: '#F0E442', grey: '#999999',
};
export const clockColours = { firstResponse: palette.blue, nextReply: palette.orange, resolution: palette.green };
export const slaStateColours = { breached: palette.vermillion, atRisk: palette.orange, onTrack: palette.green, paused: palette.sky, noSla: palette.grey };
export const segmentColours = { counting: palette.blue, outside_hours: '#D9DEE7', paused: palette.orange, stopped: '#5F6B7C' };

let chartIds = 0;
function frame(width, height, title, desc, cls) {
  const id = `chart-${++chartIds}`;
  return svg('svg', { class: `chart ${cls}`, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, preserveAspectRatio: 'xMidYMid meet' },
    svg('title', { id: `${id}-t`, text: title }), svg('desc', { id: `${id}-d`, text: desc }));
}

/** A step of 1, 2 or 5 × 10^n giving about <paramref name="ticks"/> ticks up to max. */
export function niceMax(max, ticks = 4) {
  if (!(max > 0)) return { max: ticks, step: 1 };
  const raw = max / ticks, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw);
  const niceStep = Math.max(1, step);
  return { max: Math.ceil(max / niceStep) * niceStep, step: niceStep };
}

/** A legend as an HTML list (wraps on narrow screens, readable by screen readers). */
export function legend(items) {
  return el('ul', { class: 'chart-legend' }, ...items.map((i) => el('li', { 'data-key': i.key },
    el('i', { class: 'swatch', style: `background:${i.color}`, 'aria-hidden': 'true' }), i.label)));
}

/**
 * Vertical bars, grouped per category (one bar per series in each group).
 * categories: [{ key, label }]; series: [{ key, label, color, values: [number|null per category], titles?: [string] }]
 * y: { max?, format(v), ticks?: [numbers] }; goal?: { value, label }
 */
export function barChart({ title, desc, categories, series, y, goal, xTitle, yTitle }) {
  const W = 720, H = 300, m = { l: 56, r: 16, t: 16, b: 58 };
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const dataMax = Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v !== null && v !== undefined)));
  const scale = y.max !== undefined ? { max: y.max, step: y.step } : niceMax(dataMax);
  const yOf = (v) => m.t + ph - (v / scale.max) * ph;
  const root = frame(W, H, title, desc, 'bar-chart');

  const axis = svg('g', { class: 'axis y-axis' });
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    axis.append(svg('line', { class: 'grid', x1: m.l, x2: W - m.r, y1: yOf(v), y2: yOf(v) }),
      svg('text', { x: m.l - 6, y: yOf(v), dy: '0.32em', 'text-anchor': 'end', text: y.format(v) }));
  }
  if (yTitle) axis.append(svg('text', { class: 'axis-title', transform: `translate(14 ${m.t + ph / 2}) rotate(-90)`, 'text-anchor': 'middle', text: yTitle }));
  root.append(axis);

  // Bars no wider than 56 units, centred in their group: one week or one bucket must not become a wall.
  const groupW = pw / Math.max(1, categories.length), pad = Math.min(18, groupW * 0.2);
  const barW = Math.min(56, (groupW - 2 * pad) / Math.max(1, series.length));
  const inset = (groupW - barW * series.length) / 2;
  const bars = svg('g', { class: 'bars' }), xAxis = svg('g', { class: 'axis x-axis' });
  categories.forEach((c, ci) => {
    const gx = m.l + ci * groupW;
    series.forEach((s, si) => {
      const v = s.values[ci], x = gx + inset + si * barW;
      const tip = s.titles?.[ci] ?? `${s.label}, ${c.label}: ${v === null || v === undefined ? 'no data' : y.format(v)}`;
      if (v === null || v === undefined) {
        bars.append(svg('text', { class: 'na', x: x + barW / 2, y: yOf(0) - 4, 'text-anchor': 'middle', 'data-series': s.key, 'data-category': c.key, text: '–' }, svg('title', { text: tip })));
        return;
      }
      const h = yOf(0) - yOf(v);
      // A zero is a value, unlike "no data": say so where the bar would be.
      if (v === 0) bars.append(svg('text', { class: 'zero', x: x + barW / 2, y: yOf(0) - 4, 'text-anchor': 'middle', text: y.format(0) }));
      bars.append(svg('rect', { class: 'column', x: x + 1, y: yOf(v), width: Math.max(1, barW - 2), height: h, fill: s.color,
        'data-series': s.key, 'data-category': c.key, 'data-value': v }, svg('title', { text: tip })));
    });
    xAxis.append(svg('text', { x: gx + groupW / 2, y: H - m.b + 18, 'text-anchor': 'middle', text: c.label }));
  });
  xAxis.append(svg('line', { class: 'baseline', x1: m.l, x2: W - m.r, y1: yOf(0), y2: yOf(0) }));
  if (xTitle) xAxis.append(svg('text', { class: 'axis-title', x: m.l + pw / 2, y: H - 10, 'text-anchor': 'middle', text: xTitle }));
  root.append(bars, xAxis);

  if (goal) {
    root.append(svg('g', { class: 'goal' },
      svg('line', { x1: m.l, x2: W - m.r, y1: yOf(goal.value), y2: yOf(goal.value) }, svg('title', { text: goal.label })),
      svg('text', { x: W - m.r, y: yOf(goal.value) - 5, 'text-anchor': 'end', text: goal.label })));
  }
  return root;
}

/** One horizontal bar split into parts proportional to their values: parts [{ key, label, value, color }]. */
export function stackedBar({ title, desc, parts }) {
  const W = 720, H = 64, m = { l: 4, r: 4, t: 8 }, bh = 40, pw = W - m.l - m.r;
  const total = parts.reduce((t, p) => t + p.value, 0);
  const root = frame(W, H, title, desc, 'stacked-bar');
  if (total === 0) {
    root.append(svg('rect', { class: 'empty', x: m.l, y: m.t, width: pw, height: bh }),
      svg('text', { x: W / 2, y: m.t + bh / 2, dy: '0.32em', 'text-anchor': 'middle', text: 'No open tickets' }));
    return root;
  }
  let x = m.l;
  for (const p of parts) {
    if (!p.value) continue;
    const w = (p.value / total) * pw;
    const g = svg('g', { class: 'part', 'data-key': p.key, 'data-value': p.value },
      svg('rect', { x, y: m.t, width: w, height: bh, fill: p.color }, svg('title', { text: `${p.label}: ${p.value} of ${total}` })));
    if (w >= 28) g.append(svg('text', { x: x + w / 2, y: m.t + bh / 2, dy: '0.32em', 'text-anchor': 'middle', class: p.key === 'breached' || p.key === 'onTrack' ? 'on-dark' : '', text: String(p.value) }));
    root.append(g);
    x += w;
  }
  return root;
}

/**
 * A cycle's segments on a time line: segments [{ from, to, kind }] (ISO instants); marks the breach instant.
 * labelFor(kind) names a kind; when(iso) formats an instant.
 */
export function timeline({ segments, breachedAt, labelFor, when, span }) {
  const W = 600, H = 22, bh = 16, top = 3;
  const start = Date.parse(segments[0]?.from), end = Math.max(Date.parse(segments.at(-1)?.to), breachedAt ? Date.parse(breachedAt) : 0);
  const total = Math.max(1, end - start);
  const xOf = (ms) => ((ms - start) / total) * W;
  const describe = segments.map((s) => `${labelFor(s.kind)} ${when(s.from)} – ${when(s.to)} (${span(Date.parse(s.to) - Date.parse(s.from))})`).join('; ');
  const root = svg('svg', { class: 'timeline', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img',
    'aria-label': `Timeline: ${describe}${breachedAt ? `; breached ${when(breachedAt)}` : ''}` });
  for (const s of segments) {
    const a = Date.parse(s.from), b = Date.parse(s.to);
    root.append(svg('rect', { class: `seg seg-${s.kind}`, 'data-kind': s.kind, 'data-ms': b - a, x: xOf(a), y: top, width: Math.max(0.5, xOf(b) - xOf(a)), height: bh, fill: segmentColours[s.kind] ?? palette.grey },
      svg('title', { text: `${labelFor(s.kind)}: ${when(s.from)} – ${when(s.to)} (${span(b - a)})` })));
  }
  if (breachedAt) {
    const x = Math.min(W - 2, xOf(Date.parse(breachedAt)));
    root.append(svg('rect', { class: 'breach-mark', x: x - 1, y: 0, width: 2.5, height: H, fill: palette.vermillion }, svg('title', { text: `Breached ${when(breachedAt)}` })));
  }
  return root;
}
