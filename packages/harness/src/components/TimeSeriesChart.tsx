/**
 * A small inline-SVG time-series chart with axes (no chart library, no CDN):
 * x = seconds before now, y = the value in `unit`, and an optional dashed
 * "good" line so a reader sees at a glance whether the value is healthy.
 */
import type { Sample } from '../lib/telemetry';

export interface TimeSeriesChartProps {
  title: string;
  unit: string;
  series: readonly Sample[];
  /** Values at or below this are healthy (drawn as a dashed line). */
  goodMax?: number;
  /** How far back the x axis reaches. */
  windowMs?: number;
  /** Draw steps (a level held until the next sample), e.g. for a queue depth. */
  step?: boolean;
  now: number;
  testId: string;
  width?: number;
  height?: number;
}

/** 1, 2, 5 × 10^n at or above `x`: round axis maxima. */
function niceCeil(x: number): number {
  if (x <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const { title, unit, series, goodMax, windowMs = 60_000, step = false, now, testId, width = 276, height = 110 } = props;
  const left = 34;
  const right = 14;
  const top = 22;
  const bottom = 18;
  const w = width - left - right;
  const h = height - top - bottom;
  const visible = series.filter((s) => now - s.t <= windowMs);
  // Headroom above the "good" line, so it never sits on the title.
  const maxV = niceCeil(Math.max((goodMax ?? 0) * 1.5, ...visible.map((s) => s.v), 1));
  const x = (t: number) => left + w - ((now - t) / windowMs) * w;
  const y = (v: number) => top + h - (v / maxV) * h;
  const points: string[] = [];
  visible.forEach((s, i) => {
    if (step && i > 0) points.push(`${x(s.t).toFixed(1)},${y((visible[i - 1] as Sample).v).toFixed(1)}`);
    points.push(`${x(s.t).toFixed(1)},${y(s.v).toFixed(1)}`);
  });
  if (step && visible.length) points.push(`${x(now).toFixed(1)},${y((visible[visible.length - 1] as Sample).v).toFixed(1)}`);
  const xTicks = [windowMs, windowMs / 2, 0];
  const yTicks = [0, maxV / 2, maxV];
  const latest = visible[visible.length - 1];
  return (
    <figure className="chart">
      <svg
        width={width}
        height={height}
        data-testid={testId}
        data-samples={visible.length}
        role="img"
        aria-label={`${title}: ${visible.length} samples in the last ${windowMs / 1000} s${latest ? `, latest ${latest.v} ${unit}` : ''}`}
      >
        <text x={left} y={11} fontSize={11} fontWeight={600} fill="#111">
          {title} ({unit})
        </text>
        {latest && (
          <text x={width - right} y={11} fontSize={11} textAnchor="end" fill="#2563eb">
            now {latest.v} {unit}
          </text>
        )}
        {/* axes */}
        <line x1={left} y1={top} x2={left} y2={top + h} stroke="#9ca3af" />
        <line x1={left} y1={top + h} x2={left + w} y2={top + h} stroke="#9ca3af" />
        {yTicks.map((v) => (
          <g key={`y${v}`}>
            <line x1={left - 3} y1={y(v)} x2={left + w} y2={y(v)} stroke={v === 0 ? 'none' : '#f1f5f9'} />
            <text x={left - 5} y={y(v) + 3} fontSize={9} textAnchor="end" fill="#6b7280" data-testid={`${testId}-ytick`}>
              {Number.isInteger(v) ? v : v.toFixed(1)}
            </text>
          </g>
        ))}
        {xTicks.map((ms) => (
          <text key={`x${ms}`} x={x(now - ms)} y={height - 4} fontSize={9} textAnchor="middle" fill="#6b7280" data-testid={`${testId}-xtick`}>
            {ms === 0 ? 'now' : `-${ms / 1000} s`}
          </text>
        ))}
        {goodMax !== undefined && (
          <g>
            <line x1={left} y1={y(goodMax)} x2={left + w} y2={y(goodMax)} stroke="#16a34a" strokeDasharray="4 3" />
            <text x={left + w - 2} y={y(goodMax) - 3} fontSize={9} textAnchor="end" fill="#16a34a">
              good ≤ {goodMax}
            </text>
          </g>
        )}
        {visible.length === 0 ? (
          <text x={left + w / 2} y={top + h / 2} fontSize={11} textAnchor="middle" fill="#9ca3af">
            no samples yet
          </text>
        ) : (
          <>
            <polyline points={points.join(' ')} fill="none" stroke="#2563eb" strokeWidth={1.5} />
            {!step && visible.map((s, i) => <circle key={i} cx={x(s.t)} cy={y(s.v)} r={1.8} fill="#2563eb" />)}
          </>
        )}
      </svg>
    </figure>
  );
}
