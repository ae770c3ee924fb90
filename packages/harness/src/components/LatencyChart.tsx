/** A tiny inline-SVG line chart of recent call-to-ack latencies (no chart library, no CDN). */
export function LatencyChart({ values, width = 260, height = 64 }: { values: number[]; width?: number; height?: number }) {
  if (values.length < 2) {
    return (
      <svg width={width} height={height} data-testid="latency-chart" role="img" aria-label="No latency samples yet">
        <text x={4} y={height / 2} fontSize={11} fill="#888">waiting for writes…</text>
      </svg>
    );
  }
  const max = Math.max(...values, 1);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 12 - (v / max) * (height - 28)).toFixed(1)}`).join(' ');
  return (
    <svg width={width} height={height} data-testid="latency-chart" role="img" aria-label={`Latency of the last ${values.length} writes, max ${max} ms`}>
      <line x1={0} y1={height - 12} x2={width} y2={height - 12} stroke="#ccc" />
      <polyline points={points} fill="none" stroke="#2563eb" strokeWidth={1.5} />
      <text x={2} y={10} fontSize={10} fill="#555">{max} ms</text>
      <text x={2} y={height - 1} fontSize={10} fill="#555">last {values.length} writes</text>
    </svg>
  );
}
