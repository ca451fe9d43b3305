// npm run bench:overload — `vigil up` (collector supervised in its own process, query API and alert
// engine in the parent) for 60 s at twice the ingest capacity it measured itself, in one run:
//
// 1. Starts `vigil up` on a fresh database with three projects, and a sender process
//    (overload-send.ts): a 20 s capacity phase (closed loop, 32 exporters, good requests from the
//    three projects), then 60 s of arrivals
//    at twice that rate: mostly good requests from the three projects, and from the third also
//    malformed bodies, decode bombs and poison values.
// 2. Every 200 ms during the overload phase: GET /healthz on the collector's health port (and, for
//    comparison, on its ingest port), one query API call
//    (POST /api/v1/metrics, grouped by model over the last hour), and the RSS of vigil's processes.
// 3. Afterwards, every span of every acknowledged good request is looked up: lost (acknowledged,
//    not stored), duplicated (stored twice), and good requests answered anything but 200/429/503
//    or with a partial success (cross-project failures).
// Prints: overload accepted_spans_per_s=… healthz_p99_ms=… api_p99_ms=… rss_mb=… lost=…
//         duplicated=… cross_project_failures=… capacity_spans_per_s=… accepted_ratio=…

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import {
  createIngestKey,
  createPool,
  createProject,
  freshDatabase,
  signToken,
  startEmbeddedPostgres,
} from '@vigil/core';
import { DEFAULT_DECODE_LIMITS } from '../src/otlp/decode-limits.ts';
import { decodeProtobufTraces } from '../src/otlp/decode-protobuf.ts';
import { generateRequests } from './workload.ts';
import { readRequestFile, writeRequestFile } from './request-file.ts';

const TOTAL_SPANS = Number(process.env.BENCH_SPANS ?? 1_500_000);
const SPANS_PER_REQUEST = 512;
const CAPACITY_SECONDS = Number(process.env.BENCH_CAPACITY_SECONDS ?? 20);
const OVERLOAD_SECONDS = Number(process.env.BENCH_OVERLOAD_SECONDS ?? 60);
const root = path.resolve(import.meta.dirname, '../..');
const dataDir = path.join(root, '.vigil/bench-overload');
const JWT_SECRET = 'bench-overload-secret-bench-overload-secret';

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** The workload, generated once and kept (it is deterministic). */
function requestsFile(): string {
  const file = path.join(dataDir, `requests-${TOTAL_SPANS}.bin`);
  if (existsSync(file)) return file;
  log(`building ${TOTAL_SPANS} spans as OTLP protobuf requests (kept in ${file} for the next run)…`);
  const partial = `${file}.partial`;
  writeRequestFile(partial, generateRequests(TOTAL_SPANS, SPANS_PER_REQUEST));
  renameSync(partial, file);
  return file;
}

const freePort = () => 43000 + Math.floor(Math.random() * 2000);

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN;
}

async function timed(run: () => Promise<Response>): Promise<number> {
  const started = performance.now();
  try {
    const response = await run();
    await response.arrayBuffer();
    if (!response.ok) return Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  return performance.now() - started;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const file = requestsFile();
  const server = await startEmbeddedPostgres({ dataDir, port: Number(process.env.BENCH_PG_PORT ?? 54342) });
  const scratch = mkdtempSync(path.join(tmpdir(), 'vigil-overload-'));
  let vigil: ChildProcess | null = null;
  try {
    const url = await freshDatabase(server.url, 'vigil_bench_overload');
    const pool = createPool(url, { poolSize: 2 });
    const projects = [];
    for (const name of ['tenant-app-a', 'tenant-app-b', 'tenant-app-c']) {
      const project = await createProject(pool, name);
      projects.push({ id: project.id, key: (await createIngestKey(pool, name)).key });
    }
    const configFile = path.join(scratch, 'vigil.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ slos: [{ name: 'errors', project: 'tenant-app-a', objective: 99, sli: { kind: 'errors' } }] }),
    );
    const collectorPort = freePort();
    const apiPort = collectorPort + 2001;
    const healthPort = collectorPort + 1000;
    const healthUrl = `http://127.0.0.1:${healthPort}`;
    const collectorUrl = `http://127.0.0.1:${collectorPort}`;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    let output = '';
    vigil = spawn(process.execPath, [path.join(root, 'cli/bin/vigil.mjs'), 'up'], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        VIGIL_DATA_DIR: scratch,
        VIGIL_DASHBOARD: 'off',
        VIGIL_CONFIG: configFile,
        VIGIL_COLLECTOR_PORT: String(collectorPort),
        VIGIL_COLLECTOR_HEALTH_PORT: String(healthPort),
        VIGIL_API_PORT: String(apiPort),
        VIGIL_JWT_SECRET: JWT_SECRET,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    vigil.stdout!.on('data', (d) => (output += d));
    vigil.stderr!.on('data', (d) => (output += d));
    await until('vigil up', () => output.includes('API reference'));
    const token = await signToken({ role: 'authenticated', projectId: projects[0]!.id, ttlSeconds: 3600 }, JWT_SECRET);

    let recording = false;
    const healthz: number[] = [];
    const ingestPortHealthz: number[] = [];
    const api: number[] = [];
    let peakRss = 0;
    const peakByProcess = new Map<string, number>();
    let peakLagMs = 0;
    let peakHeapMb = 0;
    let peakExternalMb = 0;
    let peakQueue = 0;
    const sampler = setInterval(() => {
      if (!recording) return;
      const now = Date.now();
      void timed(() => fetch(`${healthUrl}/healthz`)).then((ms) => healthz.push(ms));
      void timed(() => fetch(`${collectorUrl}/healthz`)).then((ms) => ingestPortHealthz.push(ms));
      void timed(() =>
        fetch(`${apiUrl}/api/v1/metrics`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            window: { from: new Date(now - 3_600_000).toISOString(), to: new Date(now).toISOString() },
            groupBy: ['model'],
          }),
        }),
      ).then((ms) => api.push(ms));
      const pids = [vigil!.pid!, ...childPids(vigil!.pid!)];
      const each = pids.map((pid) => rssMb(pid));
      peakRss = Math.max(
        peakRss,
        each.reduce((sum, mb) => sum + mb, 0),
      );
      each.forEach((mb, i) => {
        const name = i === 0 ? 'vigil up' : 'collector';
        peakByProcess.set(name, Math.max(peakByProcess.get(name) ?? 0, mb));
      });
      if (healthz.length % 5 === 0)
        void fetch(`${collectorUrl}/metrics`)
          .then((r) => r.text())
          .then((text) => {
            const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
            peakLagMs = Math.max(peakLagMs, value('vigil_nodejs_eventloop_lag_max_seconds') * 1000);
            peakHeapMb = Math.max(peakHeapMb, value('vigil_nodejs_heap_size_used_bytes') / 1048576);
            peakExternalMb = Math.max(peakExternalMb, value('vigil_nodejs_external_memory_bytes') / 1048576);
            peakQueue = Math.max(peakQueue, value('vigil_queue_spans'));
          })
          .catch(() => {});
    }, 200);

    log(
      `sending from a separate process: ${CAPACITY_SECONDS} s capacity phase, then ${OVERLOAD_SECONDS} s of overload…`,
    );
    const sender = spawn(
      process.execPath,
      [
        path.join(import.meta.dirname, 'overload-send.ts'),
        file,
        collectorUrl,
        projects.map((p) => p.key).join(','),
        String(CAPACITY_SECONDS),
        String(OVERLOAD_SECONDS),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // The load generator stands for apps on other machines: it yields the CPU to Vigil and Postgres.
    setPriority(sender.pid!, 19);
    let sent = '';
    sender.stdout!.on('data', (d) => (sent += d));
    sender.stderr!.on('data', (d: Buffer) => {
      process.stderr.write(d);
      if (d.toString().includes('overload at twice')) setTimeout(() => (recording = true), 2000);
    });
    const code = await new Promise<number | null>((resolve) => sender.once('exit', resolve));
    recording = false;
    clearInterval(sampler);
    if (code !== 0) throw new Error(`sender exited with ${code}`);
    const result = JSON.parse(sent) as {
      capacitySpansPerS: number;
      acceptedSpansPerS: number;
      acknowledged: [number, number][];
      statuses: Record<string, number>;
      badAnswers: Record<string, number>;
      crossProjectFailures: number;
      clientDropped: number;
      gaveUp: number;
      retries: number;
      exhausted: boolean;
    };
    log(
      `answers to good requests: ${JSON.stringify(result.statuses)}; to bad ones: ${JSON.stringify(result.badAnswers)}; ` +
        `${result.retries} retries, ${result.gaveUp} given up after 5, ${result.clientDropped} arrivals dropped by the sender (256 in flight)${result.exhausted ? '; the workload ran out' : ''}`,
    );
    log(
      `peak RSS by process: ${[...peakByProcess].map(([name, mb]) => `${name} ${Math.round(mb)} MB`).join(', ')}; collector event-loop lag max ${peakLagMs.toFixed(0)} ms, heap used max ${Math.round(peakHeapMb)} MB, external max ${Math.round(peakExternalMb)} MB, queue max ${peakQueue} spans; healthz samples ${healthz.length}, median ${median(healthz).toFixed(1)} ms (on the ingest port: median ${median(ingestPortHealthz).toFixed(1)} ms, p99 ${p99(ingestPortHealthz).toFixed(1)} ms); api median ${median(api).toFixed(1)} ms`,
    );
    const finalMetrics = await (await fetch(`${collectorUrl}/metrics`)).text();
    const restarts = /^vigil_collector_restarts (\d+)/m.exec(finalMetrics)?.[1];
    log(
      `collector counters: ${finalMetrics
        .split('\n')
        .filter((line) => /^vigil_(spans_dropped_total|spans_rejected_total|http_requests_total)/.test(line))
        .join(', ')}`,
    );
    log(`collector restarts during the run: ${restarts}`);

    await until('the write queue to drain', async () => {
      const health = (await (await fetch(`${collectorUrl}/healthz`)).json()) as { queueSpans: number };
      return health.queueSpans === 0;
    });

    log(`checking ${result.acknowledged.length} acknowledged requests span by span…`);
    const requests = readRequestFile(file);
    const expected = new Set<string>();
    for (const [project, index] of result.acknowledged) {
      const decoded = decodeProtobufTraces(requests[index]!, DEFAULT_DECODE_LIMITS);
      for (const rs of decoded.resourceSpans)
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans) expected.add(`${projects[project]!.id}:${s.traceId}:${s.spanId}`);
    }
    const { rows } = await pool.query<{ k: string; n: number }>(
      `select project_id::text || ':' || vigil_trace_hex(trace_id) || ':' || vigil_span_hex(span_id) as k, count(*)::int as n
       from spans where service_name = 'ai-app' group by 1`,
    );
    const stored = new Map(rows.map((r) => [r.k, r.n]));
    let lost = 0;
    for (const key of expected) if (!stored.has(key)) lost++;
    const duplicated = rows.filter((r) => r.n > 1).length;
    await pool.end();

    vigil.kill('SIGTERM');
    await new Promise((resolve) => vigil!.once('exit', resolve));
    vigil = null;

    const ratio = result.acceptedSpansPerS / result.capacitySpansPerS;
    console.log(
      `overload accepted_spans_per_s=${Math.round(result.acceptedSpansPerS)} healthz_p99_ms=${p99(healthz).toFixed(1)} api_p99_ms=${p99(api).toFixed(1)} rss_mb=${Math.round(peakRss)} lost=${lost} duplicated=${duplicated} cross_project_failures=${result.crossProjectFailures} capacity_spans_per_s=${Math.round(result.capacitySpansPerS)} accepted_ratio=${ratio.toFixed(3)}`,
    );
  } finally {
    if (vigil) vigil.kill('SIGKILL');
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
