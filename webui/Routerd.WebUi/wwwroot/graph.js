// A small live graph of two series (download and upload), drawn as SVG from a list of samples.
import { svg } from './dom.js';

export function throughputGraph(samples = 60) {
  const width = 300, height = 100;
  const down = svg('polyline', { class: 'down', points: '' });
  const up = svg('polyline', { class: 'up', points: '' });
  const el = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', class: 'graph', 'aria-hidden': 'true' },
    svg('line', { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'axis' }), down, up);
  const series = { down: [], up: [] };

  function points(values, max) {
    const step = width / (samples - 1);
    const offset = samples - values.length;
    return values.map((v, i) => `${((offset + i) * step).toFixed(1)},${(height - 2 - (v / max) * (height - 6)).toFixed(1)}`).join(' ');
  }

  return {
    el,
    /** Adds one sample in bits per second; returns the scale's top for a caption. */
    push(downBps, upBps) {
      for (const [k, v] of [['down', downBps], ['up', upBps]]) {
        series[k].push(Math.max(0, v));
        if (series[k].length > samples) series[k].shift();
      }
      const max = Math.max(1000, ...series.down, ...series.up);
      down.setAttribute('points', points(series.down, max));
      up.setAttribute('points', points(series.up, max));
      return max;
    },
  };
}
