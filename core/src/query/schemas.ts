// The query API's inputs, validated at the edge (HTTP handlers, the alert engine's config).

import { z } from 'zod';
import { DIMENSIONS } from '../rollups/cuboids.ts';

export const dimensionSchema = z.enum(DIMENSIONS);

const MAX_WINDOW_MS = 400 * 86_400_000;

const instant = z.coerce.date({
  error: 'must be a time: an ISO 8601 string such as 2026-11-23T10:00:00Z, or epoch milliseconds',
});

export const windowSchema = z
  .object({ from: instant, to: instant })
  .refine((w) => w.to.getTime() > w.from.getTime(), { message: 'window.to must be after window.from' })
  .refine((w) => w.to.getTime() - w.from.getTime() <= MAX_WINDOW_MS, { message: 'window is longer than 400 days' });

/** Equality filters, any of the listed values. '' matches spans without the dimension (db spans have no model). */
export const filtersSchema = z
  .object(
    Object.fromEntries(DIMENSIONS.map((d) => [d, z.array(z.string().max(512)).min(1).max(100).optional()])) as Record<
      (typeof DIMENSIONS)[number],
      z.ZodOptional<z.ZodArray<z.ZodString>>
    >,
  )
  .strict()
  .default({});

/**
 * Span columns that are not rollup dimensions but can filter raw spans (the canary judge's and
 * the CI gates' samples): a prompt version is judged like a deployment.
 */
export const RAW_ONLY_DIMENSIONS = ['prompt_name', 'prompt_version'] as const;
export type RawDimension = (typeof DIMENSIONS)[number] | (typeof RAW_ONLY_DIMENSIONS)[number];

/** Filters on raw spans: the rollup dimensions and the raw-only ones. */
export const rawFiltersSchema = z
  .object(
    Object.fromEntries(
      [...DIMENSIONS, ...RAW_ONLY_DIMENSIONS].map((d) => [d, z.array(z.string().max(512)).min(1).max(100).optional()]),
    ) as Record<RawDimension, z.ZodOptional<z.ZodArray<z.ZodString>>>,
  )
  .strict()
  .default({});

export type RawFilters = Partial<Record<RawDimension, string[]>>;

export const metricsQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    filters: filtersSchema,
    groupBy: z.array(dimensionSchema).max(4).default([]),
    /** A series: one point per step (ms, whole minutes). Without it, one point per group. */
    stepMs: z.number().int().positive().multipleOf(60_000).optional(),
    quantiles: z.array(z.number().min(0).max(1)).max(5).default([0.5, 0.95, 0.99]),
    /** Which distributions the quantiles are wanted for; leaving one out skips reading its histograms. */
    quantilesOf: z
      .array(z.enum(['latency', 'ttft']))
      .min(1)
      .default(['latency', 'ttft']),
    /** Order groups by cost (top-N) or by span count; by step for series. */
    orderBy: z.enum(['cost', 'count', 'p95']).optional(),
    limit: z.number().int().positive().max(10_000).optional(),
    /** Answer from raw spans with exact percentile_cont (drill-downs, and checking the rollups). */
    exact: z.boolean().default(false),
  })
  .strict()
  .refine((q) => q.stepMs === undefined || (q.window.to.getTime() - q.window.from.getTime()) / q.stepMs <= 5000, {
    message: 'more than 5000 steps: use a larger stepMs',
  });

export type MetricsQuery = z.input<typeof metricsQuerySchema>;
export type ParsedMetricsQuery = z.output<typeof metricsQuerySchema>;

export const sliQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    filters: filtersSchema,
    metric: z.enum(['latency', 'ttft']).default('latency'),
    /** A request is good when its latency (or TTFT) is at most this. */
    thresholdMs: z.number().positive().optional(),
    exact: z.boolean().default(false),
  })
  .strict();

export type SliQuery = z.input<typeof sliQuerySchema>;

/** Sessions active in a window, of one tenant or all. */
const sessionWindowFields = {
  projectId: z.string().uuid(),
  window: windowSchema,
  tenantId: z.string().optional(),
  limit: z.number().int().positive().max(1000).default(20),
};

export const topSessionsQuerySchema = z
  .object({
    ...sessionWindowFields,
    /** Only this user's sessions. */
    userId: z.string().min(1).optional(),
  })
  .strict();

export type TopSessionsQuery = z.input<typeof topSessionsQuerySchema>;

/** Cost per user: the sessions active in the window, summed by their user. */
export const userCostQuerySchema = z.object(sessionWindowFields).strict();
export type UserCostQuery = z.input<typeof userCostQuerySchema>;

/**
 * Cost per user and model: the model calls started in the window (raw spans), narrowed by the
 * rollup dimensions (a service such as claude-code, a tenant), costliest first.
 */
export const userModelCostQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    filters: filtersSchema,
    limit: z.number().int().positive().max(1000).default(50),
  })
  .strict();
export type UserModelCostQuery = z.input<typeof userModelCostQuerySchema>;

/** A project's window with filters: the whole question of several reads. */
const projectWindowQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    filters: filtersSchema,
  })
  .strict();

/** Cache hit rate per surface, and the model spend the hits saved. */
export const cacheSavingsQuerySchema = projectWindowQuerySchema;
export type CacheSavingsQuery = z.input<typeof cacheSavingsQuerySchema>;

/** Cost per session per tenant: the sessions active in the window and their whole cost. */
export const sessionCostQuerySchema = z.object(sessionWindowFields).strict();
export type SessionCostQuery = z.input<typeof sessionCostQuerySchema>;

export const budgetsQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    /** Any instant of the month to report; now by default. */
    at: instant.optional(),
  })
  .strict();

export type BudgetsQuery = z.input<typeof budgetsQuerySchema>;

export const tracesQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    filters: filtersSchema,
    sessionId: z.string().optional(),
    minDurationMs: z.number().nonnegative().optional(),
    errorsOnly: z.boolean().default(false),
    limit: z.number().int().positive().max(500).default(50),
  })
  .strict();

export type TracesQuery = z.input<typeof tracesQuerySchema>;
export type ParsedTracesQuery = z.output<typeof tracesQuerySchema>;

export const traceQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    traceId: z.string().regex(/^[0-9a-f]{32}$/, 'a trace id is 32 lowercase hex characters'),
  })
  .strict();

export type TraceQuery = z.input<typeof traceQuerySchema>;

export const samplesQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    filters: rawFiltersSchema,
    /** The most recent spans in the window, at most this many. */
    limit: z.number().int().positive().max(20_000).default(5_000),
  })
  .strict();

export type SamplesQuery = z.input<typeof samplesQuerySchema>;

export const costSliQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    filters: filtersSchema,
    /** A model call is good when it cost at most this. */
    maxUsd: z.number().positive(),
    /** Count raw spans instead of reading the rollups' cost distributions. */
    exact: z.boolean().default(false),
  })
  .strict();

export type CostSliQuery = z.input<typeof costSliQuerySchema>;

export const distributionQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    filters: filtersSchema,
    metric: z.enum(['latency', 'ttft']).default('latency'),
  })
  .strict();

export type DistributionQuery = z.input<typeof distributionQuerySchema>;

export const costCoverageQuerySchema = projectWindowQuerySchema;

export type CostCoverageQuery = z.input<typeof costCoverageQuerySchema>;

export const reportedCostQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    tenantId: z.string().min(1).max(512).optional(),
    limit: z.number().int().positive().max(1000).default(50),
  })
  .strict();

export type ReportedCostQuery = z.input<typeof reportedCostQuerySchema>;
