import type { Row } from './report.js';

/** One workload of the chart: Gatehouse's figure against its baseline, in the same unit. */
export interface ChartBar {
  label: string;
  unit: string;
  baselineLabel: string;
  baseline: number;
  gatehouse: number;
  /** What the ratio must reach (DESIGN §9), drawn as a mark. */
  target?: number;
}

const WIDTH = 760;
const LABEL_WIDTH = 250;
const BAR_HEIGHT = 16;
const GROUP_HEIGHT = 58;
const TOP = 46;

/**
 * The last run as a picture for bench/README.md: per workload, the baseline's bar and
 * Gatehouse's, scaled to the larger of the two, with the ratio written beside Gatehouse's.
 * Plain SVG text (no library): a reviewer can read the numbers in the diff too.
 */
export function renderChart(title: string, subtitle: string, bars: ChartBar[]): string {
  const height = TOP + bars.length * GROUP_HEIGHT + 16;
  const scale = WIDTH - LABEL_WIDTH - 170;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="20" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="12" y="36" fill="#555">${escape(subtitle)}</text>`,
  ];
  bars.forEach((bar, index) => {
    const y = TOP + index * GROUP_HEIGHT;
    const most = Math.max(bar.baseline, bar.gatehouse, 1e-9);
    const ratio = bar.baseline > 0 ? bar.gatehouse / bar.baseline : Number.NaN;
    const met = bar.target === undefined || ratio >= bar.target;
    parts.push(`<text x="12" y="${y + 14}" font-weight="bold">${escape(bar.label)}</text>`);
    parts.push(`<text x="12" y="${y + 30}" fill="#555">${escape(bar.unit)}</text>`);
    const row = (offset: number, value: number, fill: string, name: string, note: string) => {
      const w = Math.max(1, (value / most) * scale);
      parts.push(`<rect x="${LABEL_WIDTH}" y="${y + offset}" width="${w.toFixed(1)}" height="${BAR_HEIGHT}" fill="${fill}"/>`);
      parts.push(`<text x="${LABEL_WIDTH + w + 6}" y="${y + offset + 12}">${escape(`${name} ${format(value)}${note}`)}</text>`);
    };
    row(2, bar.baseline, '#9aa5b1', bar.baselineLabel, '');
    // Green or red against a target of DESIGN §9; blue where there is none to meet.
    const fill = bar.target === undefined ? '#1f5fa8' : met ? '#2f7d32' : '#c62828';
    row(2 + BAR_HEIGHT + 4, bar.gatehouse, fill, 'Gatehouse', Number.isFinite(ratio) ? `  (${ratio.toFixed(2)}×${bar.target !== undefined ? `, target ${bar.target.toFixed(2)}` : ''})` : '');
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * The chart's bars from the report's rows: each scenario's Gatehouse rate against its baseline,
 * averaged over the pairs a workload was measured in (`…, pair 2` rows), as the report's ratio is.
 */
export function barsFromRows(rows: Row[], pairs: { label: string; unit: string; gatehouse: string; baseline: string; baselineTarget?: string; baselineLabel: string; target?: number }[]): ChartBar[] {
  const find = (scenario: string, target: string) => {
    const matching = rows.filter((row) => (row.scenario === scenario || row.scenario.startsWith(`${scenario}, pair `)) && row.target === target);
    return matching.length ? matching.reduce((sum, row) => sum + row.measured.perSecond, 0) / matching.length : 0;
  };
  return pairs.map((pair) => ({
    label: pair.label,
    unit: pair.unit,
    baselineLabel: pair.baselineLabel,
    baseline: find(pair.baseline, pair.baselineTarget ?? 'bare'),
    gatehouse: find(pair.gatehouse, 'gatehouse'),
    target: pair.target,
  }));
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
