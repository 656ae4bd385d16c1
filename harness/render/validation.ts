/**
 * figures/validate: predicted (simulator, host profile) against measured
 * (qemu testbed), one panel per metric, one point per row of validate.csv,
 * with the y = x line. A panel whose values span more than a decade and a
 * half, all positive, is drawn log-log. Pure: rows -> vega-lite spec.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ValidationRow } from '../results/validation.ts';
import { SYSTEMS, SYSTEM_LABELS, isSystemName } from '../systems.ts';
import { METRICS } from '../validate/compare.ts';
import type { Chart } from './specs.ts';
import { CHART_CONFIG, systemColor } from './style.ts';

const PANEL_PX = 260;
/** Log axes once the largest value is this many times the smallest. */
const LOG_SPAN = 30;

/** Whether a panel with these values needs log axes (and can have them). */
export function needsLogScale(values: readonly number[]): boolean {
  if (values.length === 0 || values.some((value) => value <= 0)) return false;
  return Math.max(...values) / Math.min(...values) >= LOG_SPAN;
}

export function validationChart(rows: readonly ValidationRow[]): Chart {
  const both = rows.filter(
    (row): row is ValidationRow & { predicted: number; measured: number } =>
      row.predicted !== undefined && row.measured !== undefined && isSystemName(row.system),
  );
  const systems = SYSTEMS.filter((system) => both.some((row) => row.system === system));
  const color = systemColor(systems);
  const panels = METRICS.filter(({ metric }) => both.some((row) => row.metric === metric)).map(({ metric, label, unit }) => {
    const points = both.filter((row) => row.metric === metric);
    const values = points.flatMap((row) => [row.predicted, row.measured]);
    const log = needsLogScale(values);
    const low = Math.min(...values);
    const high = Math.max(...values);
    const scale = log ? { type: 'log' as const } : { zero: false };
    const axis = (title: string) => ({ title, scale });
    return {
      title: `${label} (${unit})${log ? ', log-log' : ''}`,
      width: PANEL_PX,
      height: PANEL_PX,
      layer: [
        {
          data: { values: [{ x: low, y: low }, { x: high, y: high }] },
          mark: { type: 'line' as const, color: '#888', strokeDash: [4, 3], strokeWidth: 1.2 },
          encoding: {
            x: { field: 'x', type: 'quantitative' as const, ...axis('measured') },
            y: { field: 'y', type: 'quantitative' as const, ...axis('predicted') },
          },
        },
        {
          data: {
            values: points.map((row) => ({
              measured: row.measured,
              predicted: row.predicted,
              label: SYSTEM_LABELS[row.system as keyof typeof SYSTEM_LABELS],
              point: `${row.memory_mb} MB, ${row.dirty_pages_per_s} pages/s`,
              error: row.error_pct === undefined ? '' : `${row.error_pct.toFixed(1)} %`,
            })),
          },
          mark: { type: 'point' as const, filled: true, size: 60, opacity: 0.85 },
          encoding: {
            x: { field: 'measured', type: 'quantitative' as const, ...axis('measured') },
            y: { field: 'predicted', type: 'quantitative' as const, ...axis('predicted') },
            color,
            tooltip: [{ field: 'label' }, { field: 'point' }, { field: 'error' }],
          },
        },
      ],
    };
  });
  return {
    name: 'validate',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Simulator (host profile) vs qemu testbed: predicted against measured, dashed line y = x',
      // Its y labels run to 10,000,000,000 (bytes): no fixed axis extent here, unlike the paper's figures.
      config: { ...CHART_CONFIG, axisY: {} },
      columns: 3,
      concat: panels,
      resolve: { scale: { x: 'independent', y: 'independent' } },
    } as TopLevelSpec,
  };
}
