// Vigil's configuration: environment variables, validated once at the edge. A bad value stops the
// process with one line that names the variable and what is wrong with it.

import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_RETENTION } from './rollups/retention.ts';

const MiB = 1024 * 1024;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

export const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  VIGIL_DATA_DIR: z.string().min(1).default('.vigil'),
  VIGIL_PG_PORT: port.default(54329),
  VIGIL_COLLECTOR_HOST: z.string().min(1).default('127.0.0.1'),
  VIGIL_COLLECTOR_PORT: port.default(4318),
  // OTLP/gRPC (the OpenTelemetry Collector's and many SDKs' default exporter, Claude Code's quick start).
  VIGIL_COLLECTOR_GRPC_PORT: port.default(4317),
  // GET /healthz on its own thread and port (the OpenTelemetry Collector's health_check port), so
  // probes are answered however busy ingest is.
  VIGIL_COLLECTOR_HEALTH_PORT: port.default(13133),
  VIGIL_MAX_BODY_BYTES: positiveInt.default(16 * MiB),
  VIGIL_MAX_DECOMPRESSED_BYTES: positiveInt.default(64 * MiB),
  // One OTLP/gRPC message, after decompression (the OpenTelemetry Collector's default). With
  // VIGIL_MAX_INFLIGHT_BYTES it also sets how many messages may be arriving at once.
  VIGIL_MAX_GRPC_MESSAGE_BYTES: positiveInt.default(4 * MiB),
  VIGIL_MAX_ATTRIBUTES: positiveInt.default(128),
  VIGIL_MAX_ATTRIBUTE_LENGTH: positiveInt.default(16 * 1024),
  // Limits on what one request decodes to, counted while it decodes (see collector/README.md).
  VIGIL_MAX_RESOURCE_SPANS: positiveInt.default(1000),
  VIGIL_MAX_SCOPE_SPANS: positiveInt.default(10_000),
  VIGIL_MAX_SPANS_PER_REQUEST: positiveInt.default(20_000),
  VIGIL_MAX_EVENTS_PER_SPAN: positiveInt.default(128),
  VIGIL_MAX_EVENT_ATTRIBUTES: positiveInt.default(128),
  VIGIL_MAX_REQUEST_MEMORY_BYTES: positiveInt.default(128 * MiB),
  // Decoded bytes of all requests in flight at once (read, decoded, not yet queued); over it, 429.
  VIGIL_MAX_INFLIGHT_BYTES: positiveInt.default(64 * MiB),
  VIGIL_QUEUE_MAX_SPANS: positiveInt.default(50_000),
  VIGIL_BATCH_MAX_SPANS: positiveInt.default(10_000),
  // `vigil up` runs the collector in a child process with this heap limit (MiB); past it only the
  // collector dies, and it is restarted.
  VIGIL_COLLECTOR_MAX_HEAP_MB: z.coerce.number().int().min(64).default(512),
  // Set by `vigil up` for the collector process it supervises: restarts so far, shown in /metrics.
  VIGIL_COLLECTOR_RESTARTS: z.coerce.number().int().min(0).default(0),
  VIGIL_WRITER_LANES: z.coerce.number().int().min(1).max(16).default(2),
  // Under load, how long a write lane waits for a fuller batch before committing (0: never).
  VIGIL_WRITER_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(20),
  VIGIL_API_HOST: z.string().min(1).default('127.0.0.1'),
  VIGIL_API_PORT: port.default(3000),
  // The dashboard (Next.js); built on first start. VIGIL_DASHBOARD=off leaves it out.
  VIGIL_DASHBOARD_PORT: port.default(3001),
  VIGIL_DASHBOARD: z.enum(['on', 'off']).default('on'),
  // Signs and verifies API tokens (HS256), like Supabase's JWT secret. Generated under the data
  // directory when not set.
  VIGIL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // Also accept RS256/ES256 tokens signed by these keys (Supabase's asymmetric JWT signing keys).
  VIGIL_JWKS_URL: z.string().url().optional(),
  // How often pending rollup deltas are folded in; 0 turns the compactor off in this process.
  VIGIL_COMPACT_INTERVAL_MS: z.coerce.number().int().min(0).default(5000),
  VIGIL_MINUTE_ROLLUP_RETENTION_DAYS: positiveInt.default(DEFAULT_RETENTION.minuteRollupDays),
  VIGIL_HOUR_ROLLUP_RETENTION_DAYS: positiveInt.default(DEFAULT_RETENTION.hourRollupDays),
  VIGIL_ROLLUP_RETENTION_DAYS: positiveInt.default(DEFAULT_RETENTION.rollupDays),
  VIGIL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // The alerting config (vigil.config.ts, .yaml, .yml or .json); found in the working directory when not set.
  VIGIL_CONFIG: z.string().min(1).optional(),
  // The alert engine runs inside `vigil up` unless this is off (run it elsewhere with `vigil alerts`).
  VIGIL_ALERTS: z.enum(['on', 'off']).default('on'),
});

export type VigilConfig = z.infer<typeof configSchema> & { dataDir: string };

/** Every setting at its default (what an empty environment gives). */
export const CONFIG_DEFAULTS: z.infer<typeof configSchema> = configSchema.parse({});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the configuration. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): VigilConfig {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const parsed = configSchema.safeParse(known);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join('.') ?? 'configuration';
    throw new ConfigError(
      `invalid ${name}: ${issue?.message ?? 'invalid value'} (got ${JSON.stringify(known[name as keyof typeof known])})`,
    );
  }
  return { ...parsed.data, dataDir: path.resolve(cwd, parsed.data.VIGIL_DATA_DIR) };
}

/** A database URL with its password replaced, safe to print. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
