// RONA counts over time as a small bar chart: the organisation's RONA per minute over the last
// kMinutes minutes, drawn as inline SVG (no library). Fed with the cumulative RONA counter
// (the sum over queues) whenever it is known; the chart shows the increments per minute.

const kMinutes = 15;
const kWidth = 360;
const kHeight = 120;
const kPad = 22;
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

export class RonaChart {
  constructor(container) {
    this.container = container;
    this.last = null; // the last cumulative count seen
    this.buckets = new Map(); // minute index -> RONA in that minute
    this.dirty = true;
  }

  // total: the cumulative RONA count now (from a snapshot or a queue.stats event).
  record(total, atMs = Date.now()) {
    if (this.last !== null && total > this.last) {
      const minute = Math.floor(atMs / 60000);
      this.buckets.set(minute, (this.buckets.get(minute) || 0) + (total - this.last));
      this.dirty = true;
    }
    this.last = total;
  }

  render(nowMs = Date.now()) {
    const current = Math.floor(nowMs / 60000);
    if (!this.dirty && this.renderedMinute === current) return;
    this.dirty = false;
    this.renderedMinute = current;
    const values = [];
    for (let m = current - kMinutes + 1; m <= current; m++) values.push(this.buckets.get(m) || 0);
    for (const m of this.buckets.keys()) if (m <= current - kMinutes) this.buckets.delete(m);
    const max = Math.max(1, ...values);
    const total = values.reduce((a, b) => a + b, 0);
    const root = svg('svg', {
      viewBox: `0 0 ${kWidth} ${kHeight}`, role: 'img', class: 'rona-chart',
      'aria-labelledby': 'rona-chart-title',
    });
    root.append(svg('title', { id: 'rona-chart-title' },
      `RONA per minute over the last ${kMinutes} minutes: ${total} in total, ` +
      `${values[values.length - 1]} this minute.`));
    const plotW = kWidth - kPad * 2;
    const plotH = kHeight - kPad * 2;
    const barW = plotW / kMinutes;
    root.append(svg('line', { x1: kPad, y1: kPad + plotH, x2: kPad + plotW, y2: kPad + plotH, class: 'axis' }));
    values.forEach((v, i) => {
      const h = (v / max) * plotH;
      const x = kPad + i * barW + 2;
      const bar = svg('rect', { x, y: kPad + plotH - h, width: Math.max(1, barW - 4), height: h, class: 'bar' });
      bar.append(svg('title', {}, `${v} RONA ${kMinutes - 1 - i === 0 ? 'this minute' : (kMinutes - 1 - i) + ' min ago'}`));
      root.append(bar);
      if (v > 0) root.append(svg('text', { x: x + (barW - 4) / 2, y: kPad + plotH - h - 4, class: 'value' }, v));
    });
    root.append(svg('text', { x: kPad, y: kHeight - 4, class: 'label' }, `-${kMinutes} min`));
    root.append(svg('text', { x: kPad + plotW, y: kHeight - 4, class: 'label end' }, 'now'));
    root.append(svg('text', { x: kPad, y: 14, class: 'label' }, `max ${max}`));
    this.container.replaceChildren(root);
    this.container.dataset.total = String(total);
  }
}
