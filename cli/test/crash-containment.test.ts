// Crash containment under `vigil up`: the collector runs in its own supervised process. Killing it
// with SIGKILL in the middle of a stream, while real OTLP exporters keep exporting and retrying,
// loses no acknowledged span and stores none twice; the supervisor starts it again (and says so in
// /metrics), and the alert engine in the parent keeps ticking while ingest is down.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '../bin/vigil.mjs');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

let db: TestDatabase;
let dataDir: string;
let vigil: ChildProcess;
let log = '';
let collectorUrl = '';

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-crash-'));
  const configFile = path.join(dataDir, 'vigil.config.json');
  // An SLO the engine evaluates every second: each tick stamps its instance's evaluated_at.
  writeFileSync(
    configFile,
    JSON.stringify({
      slos: [{ name: 'errors', project: 'default', objective: 99, sli: { kind: 'errors' } }],
      engine: { schedule: '* * * * * *' },
    }),
  );
  const [collectorPort, apiPort] = [await freePort(), await freePort()];
  collectorUrl = `http://127.0.0.1:${collectorPort}`;
  vigil = spawn(process.execPath, [bin, 'up'], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      VIGIL_DATA_DIR: dataDir,
      VIGIL_DASHBOARD: 'off',
      VIGIL_CONFIG: configFile,
      VIGIL_COLLECTOR_PORT: String(collectorPort),
      VIGIL_COLLECTOR_HEALTH_PORT: '0',
      VIGIL_COLLECTOR_GRPC_PORT: '0',
      VIGIL_API_PORT: String(apiPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  vigil.stdout!.on('data', (d) => (log += d));
  vigil.stderr!.on('data', (d) => (log += d));
  await until('vigil up', () => /API reference/.test(log));
}, 90_000);

afterAll(async () => {
  if (vigil.exitCode === null) {
    vigil.kill('SIGKILL');
    await new Promise((resolve) => vigil.once('exit', resolve));
  }
  await db.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

function collectorPid(): number | null {
  try {
    const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(vigil.pid)], { encoding: 'utf8' });
    const pids = out
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0);
    return pids[0] ?? null;
  } catch {
    return null;
  }
}

async function collectorUp(): Promise<boolean> {
  try {
    return (await fetch(`${collectorUrl}/healthz`)).ok;
  } catch {
    return false;
  }
}

async function lastEvaluation(): Promise<number> {
  const { rows } = await db.pool.query<{ at: Date | null }>('select max(evaluated_at) as at from alert_instances');
  return rows[0]?.at?.getTime() ?? 0;
}

/** Real spans from the OTel SDK, 50 per batch. */
function spanBatches(count: number): ReadableSpan[][] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'crash-test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('crash-test');
  const batches: ReadableSpan[][] = [];
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < 50; i++) tracer.startSpan(`op ${b}.${i}`, { attributes: { 'tenant.id': 'acme' } }).end();
    batches.push(memory.getFinishedSpans().slice());
    memory.reset();
  }
  return batches;
}

describe('kill -9 of the collector process under vigil up', () => {
  it('stores every acknowledged span exactly once, restarts the collector, and the engine keeps ticking', async () => {
    const key = readFileSync(path.join(dataDir, 'default-ingest-key'), 'utf8').trim();
    const acknowledged = new Set<string>();
    let streaming = true;
    // Four exporters streaming batches back to back; each retries on its own (OTLP/HTTP rules:
    // connection refused or reset, 429, 502, 503, 504).
    const streams = Array.from({ length: 4 }, async () => {
      const exporter = new OTLPTraceExporter({
        url: `${collectorUrl}/v1/traces`,
        headers: { authorization: `Bearer ${key}` },
      });
      while (streaming) {
        for (const batch of spanBatches(4)) {
          const code = await new Promise<ExportResultCode>((resolve) => exporter.export(batch, (r) => resolve(r.code)));
          // An export that failed for good was never acknowledged: it may or may not be stored.
          if (code === ExportResultCode.SUCCESS) for (const s of batch) acknowledged.add(s.spanContext().spanId);
        }
      }
      await exporter.shutdown();
    });

    await until('a first evaluation', async () => (await lastEvaluation()) > 0);
    await until('spans flowing', () => acknowledged.size >= 1000);

    // Kill the collector until the engine is seen ticking while ingest is down (the supervisor's
    // backoff grows with each quick death, so the window grows too).
    let tickedWhileDown = false;
    let kills = 0;
    while (!tickedWhileDown && kills < 5) {
      const pid = collectorPid();
      expect(pid).not.toBeNull();
      const before = await lastEvaluation();
      process.kill(pid!, 'SIGKILL');
      kills++;
      await until('the collector to go down', async () => !(await collectorUp()), 10_000);
      while (!(await collectorUp())) {
        if ((await lastEvaluation()) > before && !(await collectorUp())) tickedWhileDown = true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const ackedBefore = acknowledged.size;
      await until('spans flowing again', () => acknowledged.size >= ackedBefore + 200);
    }
    expect(tickedWhileDown).toBe(true);

    streaming = false;
    await Promise.all(streams);

    const metrics = await (await fetch(`${collectorUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^vigil_collector_restarts ${kills}$`, 'm'));
    expect(log).toContain('killed by SIGKILL');

    const { rows } = await db.pool.query<{ span_id: string; n: number }>(
      `select vigil_span_hex(span_id) as span_id, count(*)::int as n from spans where service_name = 'crash-test' group by span_id`,
    );
    const stored = new Map(rows.map((r) => [r.span_id, r.n]));
    const missing = [...acknowledged].filter((id) => !stored.has(id));
    const twice = rows.filter((r) => r.n > 1);
    expect({ missing: missing.length, twice: twice.length }).toEqual({ missing: 0, twice: 0 });
    expect(acknowledged.size).toBeGreaterThan(1200);

    vigil.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => vigil.once('exit', resolve));
    expect(code).toBe(0);
    expect(collectorPid()).toBeNull();
  }, 180_000);
});
