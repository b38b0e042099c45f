// Small time charts as inline SVG (no library, no build step): a value per time bucket over a
// window ending now, drawn as (stacked) bars or a line, with a labelled y axis (0, half, max on
// a round scale) and clock times under the x axis. A legend in HTML beside it gives each
// series' current value in words, so the chart reads at a glance and without seeing the bars;
// the SVG's title says the same for screen readers.
//
//   const c = new TimeChart(node, {title, bucketMs, buckets, series: [{key, label, cls}], kind});
//   c.sample({Available: 3, Idle: 1});   // a gauge: the bucket keeps the latest (or max) sample
//   c.add('rona', 2);                    // a counter: the bucket sums what is added
//   c.render();

import { number, t, timeOfDay } from './i18n.js';
import { el } from './shell.js';

const SVG = 'http://www.w3.org/2000/svg';
const kWidth = 480;
const kHeight = 170;
const kLeft = 40;
const kRight = 10;
const kTop = 12;
const kBottom = 26;

function svg(tag, attrs, text) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

// 0 -> 2, 3 -> 4, 7 -> 10, 13 -> 20, 130 -> 200: a top for the y axis whose half is whole too.
export function niceMax(v) {
  if (v <= 2) return 2;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 4, 5, 10]) if (m * p >= v && (m * p) % 2 === 0) return m * p;
  return 10 * p;
}

function hhmm(ms) {
  return timeOfDay(new Date(ms));
}

let chartCount = 0;

export class TimeChart {
  // format(value) writes a value for the axis and legend (a count by default).
  constructor(container, { title, bucketMs, buckets, series, kind = 'bars', mode = 'last',
    format = (v) => number(Math.round(v)), legend = true }) {
    this.container = container;
    this.title = title;
    this.bucketMs = bucketMs;
    this.buckets = buckets;
    this.series = series;
    this.kind = kind;
    this.mode = mode;
    this.format = format;
    this.legend = legend;
    this.data = new Map(); // bucket index -> {key: value}
    this.dirty = true;
    this.id = `chart-${++chartCount}`;
  }

  bucketOf(atMs) {
    return Math.floor(atMs / this.bucketMs);
  }

  sample(values, atMs = Date.now()) {
    const b = this.bucketOf(atMs);
    const old = this.data.get(b) || {};
    const next = { ...old };
    for (const s of this.series) {
      const v = values[s.key] || 0;
      next[s.key] = this.mode === 'max' && old[s.key] !== undefined ? Math.max(old[s.key], v) : v;
    }
    if (this.series.some((s) => old[s.key] !== next[s.key])) this.dirty = true;
    this.data.set(b, next);
  }

  add(key, n, atMs = Date.now()) {
    const b = this.bucketOf(atMs);
    const v = this.data.get(b) || {};
    v[key] = (v[key] || 0) + n;
    this.data.set(b, v);
    this.dirty = true;
  }

  // The values shown, oldest first: null for a bucket without data (before the page opened).
  window(nowMs) {
    const current = this.bucketOf(nowMs);
    for (const b of this.data.keys()) if (b <= current - this.buckets) this.data.delete(b);
    const out = [];
    for (let b = current - this.buckets + 1; b <= current; b++) out.push(this.data.get(b) || null);
    return out;
  }

  render(nowMs = Date.now()) {
    const current = this.bucketOf(nowMs);
    if (!this.dirty && this.renderedBucket === current) return;
    this.dirty = false;
    this.renderedBucket = current;
    const values = this.window(nowMs);
    const total = (v, upto = this.series.length) => this.series.slice(0, upto)
      .reduce((a, s) => a + ((v && v[s.key]) || 0), 0);
    const peak = this.kind === 'line'
      ? Math.max(0, ...values.flatMap((v) => this.series.map((s) => (v && v[s.key]) || 0)))
      : Math.max(0, ...values.map((v) => total(v)));
    const top = niceMax(peak);
    const plotW = kWidth - kLeft - kRight;
    const plotH = kHeight - kTop - kBottom;
    const y = (v) => kTop + plotH - (v / top) * plotH;
    const slot = plotW / this.buckets;
    const root = svg('svg', { viewBox: `0 0 ${kWidth} ${kHeight}`, role: 'img', class: 'time-chart',
      'aria-labelledby': `${this.id}-title` });
    root.append(svg('title', { id: `${this.id}-title` }, this.summary(values)));
    // Grid and y axis: 0, half and top, each labelled.
    for (const v of [0, top / 2, top]) {
      root.append(svg('line', { x1: kLeft, x2: kLeft + plotW, y1: y(v), y2: y(v),
        class: v === 0 ? 'axis' : 'grid' }));
      root.append(svg('text', { x: kLeft - 6, y: y(v) + 4, class: 'tick end' }, this.format(v)));
    }
    // x axis: clock times at the start, the quarters and now.
    const first = (current - this.buckets + 1) * this.bucketMs;
    for (const q of [0, 0.25, 0.5, 0.75, 1]) {
      const i = Math.round(q * this.buckets);
      const x = kLeft + i * slot;
      const label = q === 1 ? t('chart.now') : hhmm(first + i * this.bucketMs);
      const anchor = q === 0 ? 'start' : q === 1 ? 'end' : 'middle';
      root.append(svg('line', { x1: x, x2: x, y1: kTop + plotH, y2: kTop + plotH + 4, class: 'axis' }));
      root.append(svg('text', { x, y: kHeight - 6, class: `tick ${anchor}` }, label));
    }
    if (this.kind === 'line') this.drawLines(root, values, slot, y);
    else this.drawBars(root, values, slot, y);
    this.container.replaceChildren(root);
    if (this.legend) this.container.append(this.legendNode(values));
    const latest = values[values.length - 1] || {};
    this.container.dataset.latest = JSON.stringify(latest);
    this.container.dataset.total = String(values.reduce((a, v) => a + total(v), 0));
  }

  drawBars(root, values, slot, y) {
    values.forEach((v, i) => {
      if (!v) return;
      let base = 0;
      for (const s of this.series) {
        const n = v[s.key] || 0;
        if (!n) continue;
        const x = kLeft + i * slot + Math.min(1, slot / 6);
        root.append(svg('rect', { x, y: y(base + n), width: Math.max(1, slot - Math.min(2, slot / 3)),
          height: y(base) - y(base + n), class: `bar ${s.cls || s.key}` }));
        base += n;
      }
    });
  }

  drawLines(root, values, slot, y) {
    for (const s of this.series) {
      let points = [];
      const flush = () => {
        if (points.length > 1) root.append(svg('polyline', { points: points.join(' '), class: `line ${s.cls || s.key}` }));
        if (points.length === 1) {
          const [px, py] = points[0].split(',');
          root.append(svg('circle', { cx: px, cy: py, r: 2.5, class: `dot-point ${s.cls || s.key}` }));
        }
        points = [];
      };
      values.forEach((v, i) => {
        if (!v) { flush(); return; }
        points.push(`${(kLeft + (i + 0.5) * slot).toFixed(1)},${y(v[s.key] || 0).toFixed(1)}`);
      });
      flush();
    }
  }

  summary(values) {
    const latest = values[values.length - 1];
    const now = this.series.map((s) => `${s.label} ${this.format((latest && latest[s.key]) || 0)}`).join(t('common.listSep'));
    return t('chart.summary', { title: this.title, now });
  }

  legendNode(values) {
    const latest = values[values.length - 1] || {};
    return el('ul', { class: 'legend', 'aria-hidden': 'true' }, ...this.series.map((s) =>
      el('li', {}, el('span', { class: `swatch ${s.cls || s.key}` }),
        `${s.label}: `, el('strong', { text: this.format(latest[s.key] || 0) }))));
  }
}
