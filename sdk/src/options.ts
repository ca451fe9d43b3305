// init()'s options, validated, with the OpenTelemetry environment variables as defaults.

import { execFileSync } from 'node:child_process';
import { z } from 'zod';

export const initOptionsSchema = z.object({
  /** service.name; default OTEL_SERVICE_NAME. */
  serviceName: z.string().min(1).optional(),
  /** The collector: a base URL (…:4318) or the full traces URL (…/v1/traces). */
  endpoint: z.string().url().optional(),
  /** A Vigil ingest key; default VIGIL_API_KEY. Sent as a bearer token, never logged. */
  apiKey: z.string().min(1).optional(),
  /** The version or deployment id; default VIGIL_DEPLOYMENT, then service.version, then the git sha. */
  deployment: z.string().min(1).optional(),
  /** deployment.environment.name; default VIGIL_ENVIRONMENT, then NODE_ENV. */
  environment: z.string().min(1).optional(),
  /** Fraction of traces kept, 0 to 1 (a child follows its parent's decision). Default 1. */
  sampleRate: z.number().min(0).max(1).optional(),
  /** Record prompts and completions (redacted). Off unless set. */
  captureContent: z.boolean().optional(),
  /** OTLP encoding. Default protobuf. */
  protocol: z.enum(['http/protobuf', 'http/json']).optional(),
  /** Model client modules or classes to patch, when the app's copy is not the one Vigil imports. */
  instrument: z.object({ openai: z.unknown().optional(), anthropic: z.unknown().optional() }).optional(),
});

export type InitOptions = z.input<typeof initOptionsSchema>;

export interface ResolvedOptions {
  serviceName: string;
  tracesUrl: string;
  headers: Record<string, string>;
  deployment: string | undefined;
  environment: string | undefined;
  sampleRate: number;
  captureContent: boolean;
  protocol: 'http/protobuf' | 'http/json';
  instrument: { openai?: unknown; anthropic?: unknown };
}

/** OTEL_RESOURCE_ATTRIBUTES is "k=v,k2=v2" with percent-encoded values. */
function resourceAttribute(env: NodeJS.ProcessEnv, key: string): string | undefined {
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const [k, ...v] = pair.split('=');
    if (k?.trim() === key && v.length) return decodeURIComponent(v.join('=').trim());
  }
  return undefined;
}

function gitSha(): string | undefined {
  try {
    return (
      execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 2000,
      }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

export function resolveOptions(input: InitOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const parsed = initOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      `vigil init: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ')}`,
    );
  }
  const options = parsed.data;
  const base =
    options.endpoint ??
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    env.OTEL_EXPORTER_OTLP_ENDPOINT ??
    'http://localhost:4318';
  // A signal-specific URL is used as it is; a base URL gets the traces path, as OTel specifies.
  const tracesUrl =
    options.endpoint === undefined && env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
      ? base
      : base.endsWith('/v1/traces')
        ? base
        : `${base.replace(/\/$/, '')}/v1/traces`;
  const apiKey = options.apiKey ?? env.VIGIL_API_KEY;
  const sampleFromEnv = env.OTEL_TRACES_SAMPLER_ARG !== undefined ? Number(env.OTEL_TRACES_SAMPLER_ARG) : undefined;
  const protocolFromEnv = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  return {
    serviceName:
      options.serviceName ?? env.OTEL_SERVICE_NAME ?? resourceAttribute(env, 'service.name') ?? 'unknown_service',
    tracesUrl,
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    deployment: options.deployment ?? env.VIGIL_DEPLOYMENT ?? resourceAttribute(env, 'service.version') ?? gitSha(),
    environment:
      options.environment ??
      env.VIGIL_ENVIRONMENT ??
      resourceAttribute(env, 'deployment.environment.name') ??
      env.NODE_ENV,
    sampleRate:
      options.sampleRate ??
      (sampleFromEnv !== undefined && Number.isFinite(sampleFromEnv) ? Math.min(Math.max(sampleFromEnv, 0), 1) : 1),
    captureContent: options.captureContent ?? false,
    protocol: options.protocol ?? (protocolFromEnv === 'http/json' ? 'http/json' : 'http/protobuf'),
    instrument: options.instrument ?? {},
  };
}
