// What vigil.config.yaml (or .ts) may say about alerting: SLOs, threshold rules, where to notify,
// how to judge a canary and whom to call to roll back. Validated here, once, with messages that
// name the bad field; the engine trusts what comes out.

import { z } from 'zod';
import { durationSchema } from './duration.ts';
import { expandTimeBudgets, timeBudgetsSchema } from './time-budgets.ts';

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'use lowercase letters, digits, ".", "_" or "-" (at most 63)');
const values = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

const selectorShape = {
  service: values.optional(),
  surface: values.optional(),
  model: values.optional(),
  provider: values.optional(),
  tenant: values.optional(),
  deployment: values.optional(),
  category: values.optional(),
};

/** Which spans an SLO or rule covers. Every key is optional; values are one or several. */
export const selectorSchema = z.object(selectorShape).strict().prefault({});

export type Selector = z.output<typeof selectorSchema>;

/**
 * A canary or its baseline as any slice of traffic, not only a deployment: a prompt version, a
 * model, a provider, or any other dimension. Read on raw spans, so the prompt keys are allowed.
 */
export const comparedSelectorSchema = z
  .object({ ...selectorShape, prompt: values.optional(), promptVersion: values.optional() })
  .strict()
  .refine((s) => Object.values(s).some((v) => v !== undefined), 'a canary or baseline selector names at least one key');

export type ComparedSelector = z.output<typeof comparedSelectorSchema>;

/** A canary and its baseline as slices of traffic (a prompt version, a model) instead of deployments. */
export const comparedSlicesSchema = z
  .object({ canary: comparedSelectorSchema, baseline: comparedSelectorSchema })
  .strict();

export type ComparedSlices = z.output<typeof comparedSlicesSchema>;

const severity = z.enum(['page', 'ticket']);
export type Severity = z.infer<typeof severity>;

export const sliSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('latency'), thresholdMs: z.number().positive() }).strict(),
  z.object({ kind: z.literal('ttft'), thresholdMs: z.number().positive() }).strict(),
  z.object({ kind: z.literal('errors') }).strict(),
  z.object({ kind: z.literal('cost_per_request'), maxUsd: z.number().positive() }).strict(),
  // Good events are cache hits, bad ones misses, among lookups that said (spans.cache_hit): an
  // objective of 0.4 keeps at least 40% of lookups answered from the cache.
  z.object({ kind: z.literal('cache_hit_ratio') }).strict(),
]);

export type Sli = z.infer<typeof sliSchema>;

const windowPair = z
  .object({ severity, long: durationSchema, short: durationSchema, burnRate: z.number().positive() })
  .strict()
  .refine((w) => w.short < w.long, { message: 'short must be shorter than long' });

export const sloSchema = z
  .object({
    name,
    project: z.string().min(1).default('default'),
    description: z.string().max(500).optional(),
    /** Percent of good events over the period, e.g. 99.5. */
    objective: z.number().gt(0).lt(100),
    period: durationSchema.prefault('30d'),
    selector: selectorSchema,
    sli: sliSchema,
    /** Below this many events in a window, the window cannot fire (one failure at 3 a.m. is not a page). */
    minEvents: z.number().int().nonnegative().default(20),
    /** Off to keep the SLO on the dashboard without alerts. */
    alerting: z.boolean().default(true),
    /** The burn-rate windows; by default the SRE Workbook's, scaled to the period. */
    windows: z.array(windowPair).min(1).max(8).optional(),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type SloConfig = z.output<typeof sloSchema>;

export const budgetSchema = z
  .object({
    name,
    project: z.string().min(1).default('default'),
    /** One tenant's budget, or the whole project's when left out. */
    tenant: z.string().min(1).optional(),
    monthlyUsd: z.number().positive(),
    /** Ticket when the month's forecast passes this fraction of the budget. */
    forecastAt: z.number().positive().default(1),
    /** Page when the month's spend passes this fraction. */
    spentAt: z.number().positive().default(1),
    /** Burn-rate alerts on spend, with the SLO windows: fast burn pages, slow burn tickets. */
    burnAlerts: z.boolean().default(true),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type BudgetConfig = z.output<typeof budgetSchema>;

export const ruleMetricSchema = z.enum([
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'ttft_p50',
  'ttft_p95',
  'ttft_p99',
  'error_ratio',
  'cost_per_request',
  /** The share of model calls with a known cost (0 to 1): alert with `op: '<'` when prices go missing. */
  'cost_coverage',
  /** Cache hits among lookups that said (0 to 1): alert with `op: '<'` when the cache stops serving. */
  'cache_hit_ratio',
  'requests',
]);
export type RuleMetric = z.infer<typeof ruleMetricSchema>;

export const ruleSchema = z
  .object({
    name,
    project: z.string().min(1).default('default'),
    description: z.string().max(500).optional(),
    selector: selectorSchema,
    metric: ruleMetricSchema,
    op: z.enum(['>', '<']).default('>'),
    threshold: z.number(),
    /** The window the metric is computed over, ending now. */
    window: durationSchema.prefault('5m'),
    for: durationSchema.prefault('0s'),
    keepFiringFor: durationSchema.prefault('0s'),
    severity: severity.default('ticket'),
    minEvents: z.number().int().nonnegative().default(1),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type RuleConfig = z.output<typeof ruleSchema>;

const secretRef = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'name an environment variable (secrets stay out of config files)');

export const slackSchema = z
  .object({
    /** A project name; every project when left out. */
    project: z.string().min(1).optional(),
    severities: z.array(severity).min(1).default(['page', 'ticket']),
    /** The environment variable that holds the incoming-webhook URL. */
    webhookUrlEnv: secretRef,
  })
  .strict();

/**
 * Any receiver of Alertmanager's webhook payload (version 4): PagerDuty and Opsgenie integrations,
 * an incident bot, Alertmanager-compatible tooling.
 */
export const webhookReceiverSchema = z
  .object({
    name,
    /** A project name; every project when left out. */
    project: z.string().min(1).optional(),
    severities: z.array(severity).min(1).default(['page', 'ticket']),
    /** The environment variable that holds the URL (receivers often put a token in it). */
    urlEnv: secretRef,
    /** As Alertmanager's webhook_config: resolved alerts are sent too, by default. */
    sendResolved: z.boolean().default(true),
    /** At most this many alerts per message (0: all); the rest are counted in truncatedAlerts. */
    maxAlerts: z.number().int().min(0).default(0),
  })
  .strict();

export type WebhookReceiverConfig = z.output<typeof webhookReceiverSchema>;

const hookBase = { name, timeout: durationSchema.prefault('10s'), retries: z.number().int().min(0).max(10).default(3) };

/** A hook Vigil calls to roll a deployment back or to move a rollout to its next step. */
export const hookSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), ...hookBase, url: z.string().url(), secretEnv: secretRef }).strict(),
  z
    .object({
      type: z.literal('github'),
      ...hookBase,
      repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'write owner/repo'),
      /** The dispatch's event_type: vigil-rollback or vigil-promote when left out. */
      eventType: z.string().min(1).max(100).optional(),
      tokenEnv: secretRef,
      apiUrl: z.string().url().default('https://api.github.com'),
    })
    .strict(),
  z
    .object({
      type: z.literal('flag'),
      ...hookBase,
      url: z.string().url(),
      method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
      /** An environment variable with a bearer token for the flag service, if it needs one. */
      tokenEnv: secretRef.optional(),
    })
    .strict(),
]);

export type HookConfig = z.output<typeof hookSchema>;

const judgedMetric = z
  .object({
    /** How much worse the canary may be: a fraction (0.2 = 20% slower) or, for errors, percentage points / 100. */
    allowedIncrease: z.number().nonnegative(),
    /** A critical metric past criticalIncrease fails the canary at once, whatever the others say. */
    critical: z.boolean().default(false),
    criticalIncrease: z.number().positive().optional(),
    weight: z.number().positive().default(1),
  })
  .strict();

export const canarySchema = z
  .object({
    /** Which spans the judge compares (the same selector for canary and baseline, besides deployment). */
    selector: selectorSchema,
    /**
     * Judge the canary's calls since it started, up to this far back and at most its newest
     * `maxSamples`, against the baseline's calls over the same time (at most 5000). At low traffic
     * every call adds up; at high traffic the newest calls show a regression that starts late.
     */
    window: durationSchema.prefault('1h'),
    maxSamples: z.number().int().min(20).max(5000).default(200),
    /** Calls of each side a Pass needs; a Fail can come sooner (a large regression on a few calls). */
    minSamples: z.number().int().min(5).default(50),
    /** 1 − the error rate of the sequential test, per metric and however often it is checked. */
    confidence: z.number().gt(0.5).lt(1).default(0.98),
    passScore: z.number().min(0).max(100).default(95),
    marginalScore: z.number().min(0).max(100).default(75),
    /** Judge running canaries this often (at most once per engine tick), and roll back on Fail. */
    interval: durationSchema.prefault('10s'),
    autoRollback: z.boolean().default(true),
    /** Stepped rollouts (vigil deploy start --steps): the defaults a start may override. */
    rollout: z
      .object({
        /** Each step lasts at least this long, however soon the judge passes it. */
        minStepTime: durationSchema.prefault('10m'),
        /** Held this long past its minimum time without a decision, a rollout pages (once per step). */
        maxHold: durationSchema.prefault('1h'),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        latency: judgedMetric.prefault({ allowedIncrease: 0.25 }),
        ttft: judgedMetric.prefault({ allowedIncrease: 0.25 }),
        errors: judgedMetric.prefault({ allowedIncrease: 0.02, critical: true, criticalIncrease: 0.1 }),
        cost_per_request: judgedMetric.prefault({ allowedIncrease: 0.3 }),
        /** Every evaluation scored on both sides: worse when its mean drops by more than maxDrop, significantly. */
        evaluations: z
          .object({ maxDrop: z.number().nonnegative().default(0), weight: z.number().positive().default(1) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((c) => c.marginalScore <= c.passScore, {
    message: 'marginalScore must not be above passScore',
    path: ['marginalScore'],
  });

export type CanaryConfig = z.output<typeof canarySchema>;

const stateHandling = z.enum(['nodata', 'error', 'ok', 'alerting', 'keep_last']);

export const engineSchema = z
  .object({
    /** node-cron expression with seconds. */
    schedule: z.string().default('*/10 * * * * *'),
    /** Wait this long after a group's first alert before notifying, to batch an incident's alerts. */
    groupWait: durationSchema.prefault('0s'),
    repeatInterval: durationSchema.prefault('4h'),
    noData: stateHandling.default('nodata'),
    error: stateHandling.default('error'),
    /** Where links in notifications point. */
    dashboardUrl: z.string().url().default('http://127.0.0.1:3001'),
  })
  .strict();

export const alertsConfigSchema = z
  .object({
    slos: z.array(sloSchema).default([]),
    /** Latency budgets per surface and dependency, each expanded into a latency SLO. */
    timeBudgets: z.preprocess(
      (v) => (v === undefined || Array.isArray(v) ? v : [v]),
      z.array(timeBudgetsSchema).default([]),
    ),
    budgets: z.array(budgetSchema).default([]),
    rules: z.array(ruleSchema).default([]),
    slack: z.array(slackSchema).default([]),
    webhooks: z.array(webhookReceiverSchema).default([]),
    rollbackHooks: z.array(hookSchema).default([]),
    /**
     * Called when a stepped rollout enters a step (its first at start, the next when the judge
     * passes it, 100% at the end): a signed webhook, a GitHub dispatch, or a flag's weight update.
     */
    promoteHooks: z.array(hookSchema).default([]),
    /** Roll back a deployment when a page-severity burn alert is scoped to it. */
    rollbackOnPage: z.boolean().default(true),
    canary: canarySchema.prefault({}),
    engine: engineSchema.prefault({}),
  })
  .strict()
  .transform(({ timeBudgets, ...config }) => ({
    ...config,
    slos: [...config.slos, ...timeBudgets.flatMap(expandTimeBudgets)],
  }))
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    for (const [list, items] of [
      ['slos', config.slos],
      ['budgets', config.budgets],
      ['rules', config.rules],
    ] as const) {
      items.forEach((item, index) => {
        const key = `${item.project}/${item.name}`;
        if (seen.has(key))
          ctx.addIssue({
            code: 'custom',
            path: [list, index, 'name'],
            message: `"${item.name}" is used twice in project ${item.project}`,
          });
        seen.add(key);
      });
    }
    const receivers = new Set<string>();
    config.webhooks.forEach((receiver, index) => {
      if (receivers.has(receiver.name))
        ctx.addIssue({
          code: 'custom',
          path: ['webhooks', index, 'name'],
          message: `webhook receiver "${receiver.name}" is defined twice`,
        });
      receivers.add(receiver.name);
    });
    for (const list of ['rollbackHooks', 'promoteHooks'] as const) {
      const hooks = new Set<string>();
      config[list].forEach((hook, index) => {
        if (hooks.has(hook.name))
          ctx.addIssue({
            code: 'custom',
            path: [list, index, 'name'],
            message: `hook "${hook.name}" is defined twice`,
          });
        hooks.add(hook.name);
      });
    }
  });

export type AlertsConfig = z.output<typeof alertsConfigSchema>;
export type AlertsConfigInput = z.input<typeof alertsConfigSchema>;
