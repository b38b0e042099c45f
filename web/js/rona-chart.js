// RONA over time: the organisation's RONA per 15 minutes over the last two hours, as bars with
// a labelled axis (charts.js). Fed with the cumulative RONA counter (the sum over queues)
// whenever it is known; the chart shows the increments per quarter hour. The counter's history
// before the page opened is not known, so the bars start when the page does.

import { TimeChart } from './charts.js';
import { t } from './i18n.js';

export const kRonaBucketMinutes = 15;

export class RonaChart {
  constructor(container) {
    this.last = null; // the last cumulative count seen
    this.chart = new TimeChart(container, {
      title: t('chart.rona'),
      bucketMs: kRonaBucketMinutes * 60000,
      buckets: 8,
      series: [{ key: 'rona', label: t('chart.ronaNow'), cls: 'rona' }],
    });
    this.chart.sample({ rona: 0 });
  }

  // total: the cumulative RONA count now (from a snapshot or a queue.stats event).
  record(total, atMs = Date.now()) {
    if (this.last !== null && total > this.last) this.chart.add('rona', total - this.last, atMs);
    else if (!this.chart.data.has(this.chart.bucketOf(atMs))) this.chart.add('rona', 0, atMs);
    this.last = total;
  }

  render(nowMs = Date.now()) {
    if (!this.chart.data.has(this.chart.bucketOf(nowMs))) this.chart.add('rona', 0, nowMs);
    this.chart.render(nowMs);
  }
}
