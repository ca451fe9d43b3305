'use client';

// An SLO's history: a value per bucket over its period (its SLI, or the error budget left), a line
// at what it is held to, and the deployments that started in the period drawn where they started.
// recharts directly: Tremor's charts draw no reference lines. Labels take the text colour, so they
// read in both themes; the lines carry the colour.

import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface SloChartPoint {
  time: string;
  value: number | null;
}

export function SloChart({
  id,
  data,
  target,
  targetLabel,
  deployments,
}: {
  id: string;
  data: SloChartPoint[];
  target: number;
  targetLabel: string;
  deployments: { time: string; name: string }[];
}) {
  const percent = (v: number) => `${(v * 100).toFixed(v > 0.999 || v < -1 ? 3 : 1)}%`;
  return (
    <div
      data-testid={`chart-${id}`}
      data-points={data.filter((d) => d.value !== null).length}
      className="h-56 text-tremor-content-strong dark:text-dark-tremor-content-strong"
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 16, right: 24, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
          <XAxis dataKey="time" tick={{ fontSize: 12, fill: 'currentColor' }} />
          <YAxis
            tickFormatter={percent}
            width={72}
            tick={{ fontSize: 12, fill: 'currentColor' }}
            domain={['auto', 'auto']}
          />
          <Tooltip formatter={(v) => (typeof v === 'number' ? percent(v) : String(v))} />
          <ReferenceLine
            y={target}
            stroke="#f43f5e"
            strokeDasharray="6 3"
            label={{ value: targetLabel, fill: 'currentColor', fontSize: 12, position: 'insideTopRight' }}
          />
          {deployments.map((d) => (
            <ReferenceLine
              key={`${d.name}-${d.time}`}
              x={d.time}
              stroke="#8b5cf6"
              label={{
                value: d.name,
                fill: 'currentColor',
                fontSize: 11,
                // Toward the middle of the chart, so a line near an edge keeps its whole label.
                position:
                  data.findIndex((p) => p.time === d.time) > data.length / 2 ? 'insideTopRight' : 'insideTopLeft',
              }}
            />
          ))}
          <Line
            type="monotone"
            dataKey="value"
            stroke="#3b82f6"
            strokeWidth={2}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
