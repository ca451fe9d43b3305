// npm run bench:ingest — committed spans per second through the collector, against Postgres's own
// bulk-load limit (plain COPY of the same rows from a prepared file), in one run.
//
// 1. Builds ~1M spans (see workload.ts) as OTLP protobuf requests of 512 spans.
// 2. Starts a collector process (`vigil collector`) on a fresh database, and a separate sender
//    process with several concurrent exporters; times until every request is answered 200.
// 3. Exports the stored spans to a file and COPYs it into a second fresh database with the
//    identical schema, timing that (the model calls among them are ai_api_calls' rows: one copy).
// Prints: ingest spans_per_s=<n> copy_rows_per_s=<m> ratio=<n/m> rss_mb=<collector peak RSS>
//
// `-- --protocol grpc` sends the same requests over OTLP/gRPC (TraceService/Export on the
// collector's gRPC port) instead of OTLP/HTTP protobuf; the last line is the same.

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createIngestKey, createPool, createProject, freshDatabase, startEmbeddedPostgres } from '@vigil/core';
import { writeRequestFile } from './request-file.ts';
import { generateRequests } from './workload.ts';

const { values: args } = parseArgs({ options: { protocol: { type: 'string', default: 'http' } } });
if (args.protocol !== 'http' && args.protocol !== 'grpc') throw new Error('--protocol is http or grpc');
const PROTOCOL = args.protocol;
const TOTAL_SPANS = Number(process.env.BENCH_SPANS ?? 1_000_000);
const SPANS_PER_REQUEST = 512;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const root = path.resolve(import.meta.dirname, '../..');
const dataDir = path.join(root, '.vigil/bench');
const scratch = path.join(tmpdir(), `vigil-bench-${process.pid}`);

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function writeRequests(file: string): { requests: number; spans: number; bytes: number } {
  return { ...writeRequestFile(file, generateRequests(TOTAL_SPANS, SPANS_PER_REQUEST)), spans: TOTAL_SPANS };
}

/** /proc/<pid>/stat from field 3 (state) on: the fields after the command's closing parenthesis. */
function procStat(pid: number | string): string[] {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
}

/** CPU seconds a process has used, and (children) those its exited, reaped children used. */
function cpuSeconds(pid: number, children = false): number {
  // utime is field 14, stime 15, cutime 16, cstime 17.
  const fields = procStat(pid);
  const ticks = children ? Number(fields[13]) + Number(fields[14]) : Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

/** CPU seconds used by a Postgres server so far: the postmaster, its live children and those it reaped. */
function postgresCpuSeconds(postmaster: number): number {
  let total = cpuSeconds(postmaster) + cpuSeconds(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(procStat(entry)[1]) === postmaster) total += cpuSeconds(Number(entry));
    } catch {} // exited while listed
  }
  return total;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('collector did not become healthy');
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

// span_rows, not the view spans: the rows as Postgres stores them, dimensions as codes.
const SPAN_FILE_COLUMNS = 'select * from span_rows';

async function main(): Promise<void> {
  mkdirSync(scratch, { recursive: true });
  chmodSync(scratch, 0o777); // the server (user postgres when run as root) writes the COPY files here
  const server = await startEmbeddedPostgres({ dataDir, port: Number(process.env.BENCH_PG_PORT ?? 54340) });
  try {
    log(`building ${TOTAL_SPANS} spans as OTLP protobuf requests…`);
    const requestsFile = path.join(scratch, 'requests.bin');
    const workload = writeRequests(requestsFile);
    log(`${workload.requests} requests, ${(workload.bytes / 1e6).toFixed(0)} MB of protobuf`);

    const ingestUrl = await freshDatabase(server.url, 'vigil_bench_ingest');
    const setup = createPool(ingestUrl, { poolSize: 2 });
    const project = await createProject(setup, 'bench');
    const { key } = await createIngestKey(setup, 'bench');

    const port = 43180 + Math.floor(Math.random() * 1000);
    const grpcPort = port + 1000;
    // BENCH_CPU_PROF=<dir>: the collector writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const collector = spawn(process.execPath, [...profile, path.join(root, 'cli/bin/vigil.mjs'), 'collector'], {
      env: {
        ...process.env,
        DATABASE_URL: ingestUrl,
        VIGIL_COLLECTOR_PORT: String(port),
        VIGIL_COLLECTOR_HEALTH_PORT: '0',
        VIGIL_COLLECTOR_GRPC_PORT: String(grpcPort),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const collectorUrl = `http://127.0.0.1:${port}`;
    await waitForHealth(collectorUrl);
    const backend = (await setup.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const postmaster = Number(procStat(backend)[1]);
    const cpuBefore = { collector: cpuSeconds(collector.pid!), postgres: postgresCpuSeconds(postmaster) };

    log(
      `sending over ${PROTOCOL === 'grpc' ? 'OTLP/gRPC' : 'OTLP/HTTP'} with ${CONCURRENCY} concurrent exporters from a separate process…`,
    );
    const target = PROTOCOL === 'grpc' ? `grpc://127.0.0.1:${grpcPort}` : collectorUrl;
    const sent = JSON.parse(
      await run(
        process.execPath,
        [path.join(import.meta.dirname, 'send.ts'), requestsFile, target, key, String(CONCURRENCY)],
        process.env,
      ),
    );
    const rssMb = peakRssMb(collector.pid!);
    const metrics = await (await fetch(`${collectorUrl}/metrics`)).text();
    const heapMb = Number(/^vigil_nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN) / 1e6;
    log(`collector peak RSS ${rssMb.toFixed(0)} MB, heap used at the end ${heapMb.toFixed(0)} MB`);
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN);
    log(
      `rollup compaction while ingesting: ${metric('vigil_rollup_compaction_duration_seconds_count')} rounds, ` +
        `${metric('vigil_rollup_compaction_duration_seconds_sum').toFixed(1)} s, ${metric('vigil_rollup_pending_rows_folded_total')} pending deltas folded`,
    );
    const collectorCpuS = cpuSeconds(collector.pid!) - cpuBefore.collector;
    collector.kill('SIGTERM');
    await new Promise((r) => collector.once('exit', r));
    // Where the CPU went (2 cores shared by all three): the profile to start from.
    log(
      `CPU while ingesting: collector ${collectorCpuS.toFixed(1)} s, Postgres ${(postgresCpuSeconds(postmaster) - cpuBefore.postgres).toFixed(1)} s, sender ${sent.cpuS.toFixed(1)} s`,
    );

    const stored = await setup.query(
      `select (select count(*) from spans)::int as spans, (select count(*) from ai_api_calls)::int as calls`,
    );
    const { spans: storedSpans, calls: storedCalls } = stored.rows[0];
    if (storedSpans !== TOTAL_SPANS || sent.failures > 0) {
      throw new Error(`stored ${storedSpans} of ${TOTAL_SPANS} spans (${sent.failures} failed requests)`);
    }
    const spansPerS = storedSpans / (sent.elapsedMs / 1000);
    log(
      `ingest: ${storedSpans} spans (${storedCalls} of them model calls, ai_api_calls' rows) committed in ${(sent.elapsedMs / 1000).toFixed(1)} s, ${sent.retries} retries`,
    );

    const spansFile = path.join(scratch, 'spans.copy');
    await setup.query(`copy (${SPAN_FILE_COLUMNS}) to '${spansFile}'`);
    await setup.end();

    const copyUrl = await freshDatabase(server.url, 'vigil_bench_copy');
    const copyPool = createPool(copyUrl, { poolSize: 1 });
    // The same project row, so the copied rows meet the same foreign keys and defaults.
    await copyPool.query(`insert into projects (id, name) values ($1, 'bench')`, [project.id]);
    const copyStarted = performance.now();
    await copyPool.query(`copy span_rows from '${spansFile}'`);
    const copyMs = performance.now() - copyStarted;
    await copyPool.end();
    const copyRowsPerS = storedSpans / (copyMs / 1000);
    log(`plain COPY of the same ${storedSpans} spans from a prepared file: ${(copyMs / 1000).toFixed(1)} s`);

    for (const name of ['vigil_bench_ingest', 'vigil_bench_copy']) {
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
    console.log(
      `ingest spans_per_s=${Math.round(spansPerS)} copy_rows_per_s=${Math.round(copyRowsPerS)} ratio=${(spansPerS / copyRowsPerS).toFixed(3)} rss_mb=${Math.round(rssMb)}`,
    );
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
