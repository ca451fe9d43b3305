// One trace as a waterfall: model, db and cache spans on a shared time axis, with the time to
// first token marked on streamed model calls, and tokens, cost, attributes and logs per span.

import { Card, Text } from '@tremor/react';
import { notFound } from 'next/navigation';
import { readTrace } from '@vigil/core';
import { pool } from '../../../lib/db.ts';
import { formatMs, formatSeverity, formatUsd } from '../../../lib/format.ts';
import { requireCapability } from '../../../lib/session.ts';
import { resolveView } from '../../../lib/view.ts';

export const dynamic = 'force-dynamic';

const BAR: Record<string, string> = {
  model: 'bg-violet-500',
  db: 'bg-blue-500',
  cache: 'bg-emerald-500',
  http: 'bg-gray-400',
  other: 'bg-gray-300',
};

/** A log's time from its span's start: +12 ms, or −3 ms for a record written just before it. */
const formatOffset = (ms: number) => `${ms < 0 ? '−' : '+'}${formatMs(Math.abs(ms))}`;

export default async function TracePage({
  params,
  searchParams,
}: {
  params: Promise<{ traceId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { traceId } = await params;
  if (!/^[0-9a-f]{32}$/.test(traceId)) notFound();
  const caller = await requireCapability('read_traces');
  const view = await resolveView(await searchParams, caller);
  const spans = await readTrace(pool(), caller, { projectId: view.projectId, traceId });
  if (spans.length === 0) notFound();
  const start = Math.min(...spans.map((s) => Date.parse(s.start)));
  const end = Math.max(...spans.map((s) => Date.parse(s.start) + (s.durationMs ?? 0)));
  const total = Math.max(end - start, 1);
  // Parents before children, children in start order.
  const children = new Map<string | null, typeof spans>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const ordered: { span: (typeof spans)[number]; depth: number }[] = [];
  const visit = (parent: string | null, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      ordered.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit(null, 0);
  const cost = spans.reduce((sum, s) => sum + (s.costUsd === null ? 0 : Number(s.costUsd)), 0);
  return (
    <Card data-testid="trace">
      <Text className="font-medium text-tremor-content-strong">
        Trace <span className="font-mono">{traceId}</span>
      </Text>
      <p className="mt-1 text-tremor-default text-tremor-content" data-testid="trace-summary">
        {spans.length} spans · {formatMs(total)} · {formatUsd(cost)} · tenant {spans[0]!.tenantId}
        {spans[0]!.sessionId ? ` · session ${spans[0]!.sessionId}` : ''}
      </p>
      <div className="mt-4 space-y-1" data-testid="waterfall">
        {ordered.map(({ span, depth }) => {
          const left = ((Date.parse(span.start) - start) / total) * 100;
          // A call reported without its duration is a thin mark at its time, its duration a dash.
          const width = Math.max(((span.durationMs ?? 0) / total) * 100, 0.3);
          const ttft =
            span.ttftMs !== null && span.durationMs !== null
              ? (span.ttftMs / Math.max(span.durationMs, 1)) * 100
              : null;
          return (
            <details key={span.spanId} className="group" data-testid={`span-${span.spanId}`}>
              <summary className="grid cursor-pointer grid-cols-[minmax(0,22rem)_1fr_6rem] items-center gap-3 text-tremor-default">
                <span className="truncate" style={{ paddingLeft: `${depth * 12}px` }}>
                  <span className={span.status === 'error' ? 'text-rose-600 dark:text-rose-400' : ''}>{span.name}</span>
                  <span className="ml-2 text-tremor-label text-tremor-content">{span.category}</span>
                </span>
                <span className="relative h-4 rounded bg-tremor-background-subtle">
                  <span
                    className={`absolute top-0 h-4 rounded ${BAR[span.category] ?? BAR.other}`}
                    style={{ left: `${left}%`, width: `${width}%` }}
                  >
                    {ttft !== null ? (
                      <span
                        className="absolute top-0 h-4 w-0.5 bg-amber-300"
                        style={{ left: `${Math.min(ttft, 100)}%` }}
                        title={`first token after ${formatMs(span.ttftMs)}`}
                        data-testid="ttft-marker"
                      />
                    ) : null}
                  </span>
                </span>
                <span className="text-right tabular-nums">
                  {span.logs.length > 0 ? (
                    <span className="mr-2 text-tremor-label text-tremor-content" data-testid="log-count">
                      {span.logs.length} {span.logs.length === 1 ? 'log' : 'logs'}
                    </span>
                  ) : null}
                  {formatMs(span.durationMs)}
                </span>
              </summary>
              <div className="my-2 ml-4 rounded-tremor-small bg-tremor-background-subtle p-3 text-tremor-label">
                <div>
                  {span.model ? `${span.provider ?? ''} ${span.model} · ` : ''}
                  {span.ttftMs !== null ? `TTFT ${formatMs(span.ttftMs)} · ` : ''}
                  {span.inputTokens !== null ? `${span.inputTokens} in / ${span.outputTokens ?? 0} out tokens · ` : ''}
                  {span.costUsd !== null ? `${formatUsd(Number(span.costUsd))} · ` : ''}
                  {span.serviceName} · {span.status}
                  {span.statusMessage ? `: ${span.statusMessage}` : ''}
                </div>
                <pre className="mt-2 max-h-64 overflow-auto whitespace-pre-wrap">
                  {JSON.stringify(span.attributes, null, 2)}
                </pre>
                {span.logs.length > 0 ? (
                  <ol className="mt-2 space-y-1 border-tremor-border border-t pt-2" data-testid="span-logs">
                    {span.logs.map((log) => (
                      <li key={log.digest} className="font-mono">
                        <span className="tabular-nums">
                          {formatOffset(Date.parse(log.at) - Date.parse(span.start))}
                        </span>{' '}
                        <span className={log.severity >= 17 ? 'text-rose-600 dark:text-rose-400' : ''}>
                          {formatSeverity(log.severity)}
                        </span>
                        {log.name ? <span className="font-medium"> {log.name}</span> : null}
                        {log.body === null
                          ? null
                          : ` ${typeof log.body === 'string' ? log.body : JSON.stringify(log.body)}`}
                        {Object.keys(log.attributes).length > 0 ? (
                          <span className="text-tremor-content"> {JSON.stringify(log.attributes)}</span>
                        ) : null}
                      </li>
                    ))}
                  </ol>
                ) : null}
              </div>
            </details>
          );
        })}
      </div>
    </Card>
  );
}
