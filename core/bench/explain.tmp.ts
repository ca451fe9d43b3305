import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { QueryApi } from '../src/query/query-api.ts';
const server = await startEmbeddedPostgres({ dataDir: '/work/main/.vigil/bench-query', port: 54341 });
const pool = new pg.Pool({ connectionString: server.url.replace(/\/postgres$/, '/vigil_bench_query'), options: '-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c auto_explain.log_buffers=on' });
const { rows: [m] } = await pool.query('select project_id, end_ms from bench_meta');
const api = new QueryApi(pool);
const caller = { role: 'authenticated' as const, projectId: m.project_id };
const end = Number(m.end_ms);
const w = (ms: number) => ({ from: new Date(end - ms), to: new Date(end) });
const which = process.argv[2];
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  if (which === 'cost') await api.metrics(caller, { projectId: m.project_id, window: w(30 * 86400000), groupBy: ['tenant_id'], quantiles: [], orderBy: 'cost' });
  if (which === 'p95') await api.metrics(caller, { projectId: m.project_id, window: w(7 * 86400000), filters: { category: ['model'] }, groupBy: ['model'], quantiles: [0.95], quantilesOf: ['latency'] });
  if (which === 'ttft') await api.metrics(caller, { projectId: m.project_id, window: w(86400000), filters: { category: ['model'] }, stepMs: 60000, quantiles: [0.95], quantilesOf: ['ttft'] });
  console.log(which, (performance.now() - t).toFixed(1));
}
await pool.end();
await server.stop();
