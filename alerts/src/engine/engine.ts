// The alert engine: every tick (10 s by default, node-cron, never overlapping itself) one engine
// holds the database's advisory lock and
//   1. evaluates every alert instance the config defines, through the query API;
//   2. steps their state machines and writes states, events and notifications in one transaction;
//   3. rolls back deployments that a page-severity alert scoped to them has just fired for;
//   4. judges running canaries that are due, and rolls back those that fail; a stepped rollout's
//      canary enters its next step on a Pass (its promote hooks, once) or holds;
//   5. delivers due notifications.
// A second engine finds the lock taken and skips the tick, so nothing is evaluated, notified or
// rolled back twice; if the holder dies, its connection closes and the lock is free again.

import cron, { type ScheduledTask } from 'node-cron';
import type pg from 'pg';
import { DEPLOYMENT_COLUMNS, judgeDeployment, toDeploymentRow } from '../canary/judge-deployment.ts';
import type { AlertsConfig } from '../config/schema.ts';
import { rollBack } from '../hooks/rollback.ts';
import { driveRollout } from '../rollout/drive.ts';
import { enterStep } from '../rollout/enter-step.ts';
import { alertMessage } from '../slack/message.ts';
import { SlackSender } from '../slack/sender.ts';
import type { AlertDefinition, Evaluation } from './alert-definition.ts';
import { alertDefinitions } from './definitions.ts';
import { type DispatchResult, dispatch, enqueue } from './outbox.ts';
import { ZERO_TIME, type WebhookAlert } from '../webhook/payload.ts';
import { WebhookSender } from '../webhook/sender.ts';
import { decideNotifications, type NoticeKind } from './decide.ts';
import { loadActiveSilences, loadInstances, saveInstance } from './instance-store.ts';
import { syncBudgets } from './budget-sync.ts';
import { pruneSamples, recordSamples } from './samples.ts';

/** The engine's advisory lock key: any constant shared by all engines on one database. */
const LOCK_KEY = 0x7669_6731; // "vig1"

export interface EngineOptions {
  pool: pg.Pool;
  /** The config in effect; called each tick so edits to the database overrides apply. */
  config: () => Promise<AlertsConfig> | AlertsConfig;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  log?: (message: string) => void;
  sender?: SlackSender;
  webhookSender?: WebhookSender;
}

export interface TickResult {
  skipped: boolean;
  evaluated: number;
  transitions: { fingerprint: string; name: string; severity: string; from: string; to: string }[];
  notifications: number;
  rollbacks: string[];
  judged: { deployment: string; verdict: string }[];
  delivered: DispatchResult;
  durationMs: number;
}

const EMPTY_DISPATCH: DispatchResult = { sent: 0, retrying: 0, failed: 0 };

export class AlertEngine {
  private readonly pool: pg.Pool;
  private readonly options: EngineOptions;
  private readonly sender: SlackSender;
  private readonly webhookSender: WebhookSender;
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private task: ScheduledTask | null = null;
  private lastDeploymentScan = 0;
  private nextSamplePrune = 0;

  constructor(options: EngineOptions) {
    this.options = options;
    this.pool = options.pool;
    this.sender = options.sender ?? new SlackSender();
    this.webhookSender = options.webhookSender ?? new WebhookSender();
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  /** Runs on the config's schedule until stop(). A tick still running when the next is due is not doubled. */
  async start(): Promise<void> {
    const config = await this.options.config();
    this.task = cron.schedule(
      config.engine.schedule,
      async () => {
        try {
          const result = await this.tick();
          if (!result.skipped && (result.transitions.length || result.rollbacks.length || result.delivered.sent)) {
            this.log(
              `alerts: ${result.transitions.map((t) => `${t.name} [${t.severity}] ${t.from}→${t.to}`).join(', ') || 'no changes'}; ${result.delivered.sent} sent; ${result.rollbacks.length ? `rolled back ${result.rollbacks.join(', ')}` : ''}`,
            );
          }
        } catch (error) {
          this.log(`alerts: tick failed: ${(error as Error).message}`);
        }
      },
      { name: 'vigil-alerts', noOverlap: true },
    );
  }

  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = null;
  }

  async tick(): Promise<TickResult> {
    const started = Date.now();
    const lock = await this.pool.connect();
    try {
      const { rows } = await lock.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [LOCK_KEY]);
      if (!rows[0]!.locked)
        return {
          skipped: true,
          evaluated: 0,
          transitions: [],
          notifications: 0,
          rollbacks: [],
          judged: [],
          delivered: EMPTY_DISPATCH,
          durationMs: Date.now() - started,
        };
      try {
        return await this.tickHoldingLock(lock, started);
      } finally {
        await lock.query('select pg_advisory_unlock($1)', [LOCK_KEY]);
      }
    } finally {
      lock.release();
    }
  }

  private async tickHoldingLock(client: pg.PoolClient, started: number): Promise<TickResult> {
    const config = await this.options.config();
    const now = this.now();
    const { rows: projectRows } = await client.query<{ id: string; name: string }>('select id, name from projects');
    const projects = new Map(projectRows.map((p) => [p.name, p.id]));
    const projectNames = new Map(projectRows.map((p) => [p.id, p.name]));
    await this.recordDeploymentsFromSpans(client, now);
    await syncBudgets(client, config, projects);

    const { definitions, unknownProjects } = alertDefinitions(config, projects);
    if (unknownProjects.length)
      this.log(`alerts: config names projects that do not exist: ${unknownProjects.join(', ')}`);
    const evaluations = await this.evaluateAll(definitions, now);

    const { transitions, notifications, pagesForDeployments } = await this.persist(
      client,
      config,
      definitions,
      evaluations,
      now,
    );

    const rollbacks: string[] = [];
    if (config.rollbackOnPage) {
      for (const { definition, reason } of pagesForDeployments) {
        const outcome = await rollBack(
          this.pool,
          config,
          {
            projectId: definition.projectId,
            projectName: definition.projectName,
            deployment: definition.deployment!,
            trigger: 'burn_alert',
            reason,
            at: new Date(now),
          },
          this.options.env,
        );
        if (outcome.started) rollbacks.push(definition.deployment!);
      }
    }
    const judged = await this.judgeDueCanaries(config, projectNames, now, rollbacks);
    const delivered = await dispatch(
      this.pool,
      { slack: this.sender, webhook: this.webhookSender },
      this.options.env,
      undefined,
      now,
    );
    return {
      skipped: false,
      evaluated: definitions.length,
      transitions,
      notifications,
      rollbacks,
      judged,
      delivered,
      durationMs: Date.now() - started,
    };
  }

  private async evaluateAll(definitions: AlertDefinition[], now: number): Promise<Map<string, Evaluation>> {
    const results = new Map<string, Evaluation>();
    // A few at a time: each is several queries, and the query API shares the pool with ingest.
    const queue = [...definitions];
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        try {
          results.set(d.fingerprint, await d.evaluate(this.pool, now));
        } catch (error) {
          results.set(d.fingerprint, {
            observation: 'error',
            observed: { kind: 'error', error: (error as Error).message },
          });
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    return results;
  }

  private async persist(
    client: pg.PoolClient,
    config: AlertsConfig,
    definitions: AlertDefinition[],
    evaluations: Map<string, Evaluation>,
    now: number,
  ) {
    const transitions: TickResult['transitions'] = [];
    const pagesForDeployments: { definition: AlertDefinition; reason: string }[] = [];
    let notifications = 0;
    await client.query('begin');
    try {
      const decisions = decideNotifications({
        definitions,
        evaluations,
        stored: await loadInstances(
          client,
          definitions.map((d) => d.fingerprint),
        ),
        silences: await loadActiveSilences(client, now),
        repeatIntervalMs: config.engine.repeatInterval,
        now,
      });
      for (const decision of decisions) {
        const { definition, evaluation, state, notice } = decision;
        if (notice) {
          const since = new Date(state.firedAt ?? state.since).toISOString();
          const link = `${config.engine.dashboardUrl}/alerts?project=${encodeURIComponent(definition.projectName)}&alert=${definition.fingerprint}`;
          const message = alertMessage({
            kind: notice.kind,
            severity: definition.severity,
            name: definition.name,
            summary: definition.summary,
            project: definition.projectName,
            labels: definition.labels,
            deployment: definition.deployment,
            observed: evaluation.observed,
            since,
            link,
          });
          notifications += await enqueue(
            client,
            config,
            definition.projectName,
            {
              projectId: definition.projectId,
              tenantId: definition.tenantId,
              fingerprint: definition.fingerprint,
              kind: notice.kind,
              severity: definition.severity,
              status: notice.status,
              message,
              alert: webhookAlert(definition, notice.kind, since, now, link, message.text),
            },
            now,
          );
        }
        if (decision.rollBack) pagesForDeployments.push({ definition, reason: `${definition.summary}: page fired` });
        await saveInstance(client, decision, now);
        if (decision.from !== state.state) {
          transitions.push({
            fingerprint: definition.fingerprint,
            name: definition.name,
            severity: definition.severity,
            from: decision.from,
            to: state.state,
          });
        }
      }
      await recordSamples(client, definitions, evaluations, now);
      if (now >= this.nextSamplePrune) this.nextSamplePrune = await pruneSamples(client, now);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
    return { transitions, notifications, pagesForDeployments };
  }

  /** Deployments first seen in spans since the last scan become running deployments. */
  private async recordDeploymentsFromSpans(client: pg.PoolClient, now: number): Promise<void> {
    const since = this.lastDeploymentScan || now - 3_600_000;
    await client.query(
      `insert into deployments (project_id, name, source, started_at)
       select project_id, deployment, 'spans', min(start_time) from spans
        where start_time >= $1 and start_time < $2 and deployment is not null and deployment <> ''
        group by project_id, deployment
       on conflict (project_id, name) do nothing`,
      [new Date(since - 60_000), new Date(now)],
    );
    this.lastDeploymentScan = now;
  }

  private async judgeDueCanaries(
    config: AlertsConfig,
    projectNames: Map<string, string>,
    now: number,
    rollbacks: string[],
  ): Promise<TickResult['judged']> {
    await this.enterFirstSteps(config, projectNames, now);
    const { rows } = await this.pool.query(
      `select ${DEPLOYMENT_COLUMNS} from deployments
        where state = 'running' and (judged_at is null or judged_at <= $1)
          and baseline is not null and started_at >= $2 and (steps is null or step is not null)`,
      [new Date(now - config.canary.interval), new Date(now - 7 * 86_400_000)],
    );
    const judged: TickResult['judged'] = [];
    for (const r of rows) {
      const deployment = toDeploymentRow(r);
      const projectName = projectNames.get(deployment.projectId) ?? '?';
      const result = await judgeDeployment(this.pool, config.canary, deployment, now);
      judged.push({ deployment: deployment.name, verdict: result.verdict });
      if (deployment.rollout) {
        const { rollout } = deployment;
        const driven = await driveRollout(
          { pool: this.pool, config, projectName, now, env: this.options.env },
          { ...deployment, rollout },
          result,
        );
        if (driven.action.kind === 'rollback' && driven.done) rollbacks.push(deployment.name);
        continue;
      }
      if (result.verdict === 'fail' && config.canary.autoRollback) {
        const outcome = await rollBack(
          this.pool,
          config,
          {
            projectId: deployment.projectId,
            projectName,
            deployment: deployment.name,
            trigger: 'judge',
            reason: `canary judge: Fail (score ${result.score}): ${result.reason}`,
            at: new Date(now),
          },
          this.options.env,
        );
        if (outcome.started) rollbacks.push(deployment.name);
      }
    }
    return judged;
  }

  /** A rollout recorded without entering its first step (its start was cut short) enters it now. */
  private async enterFirstSteps(config: AlertsConfig, projectNames: Map<string, string>, now: number): Promise<void> {
    const { rows } = await this.pool.query<{ project_id: string; name: string }>(
      `select project_id, name from deployments where state = 'running' and steps is not null and step is null`,
    );
    for (const r of rows)
      await enterStep(
        this.pool,
        config,
        {
          projectId: r.project_id,
          projectName: projectNames.get(r.project_id) ?? '?',
          deployment: r.name,
          toStep: 0,
          trigger: 'start',
          reason: 'the rollout was recorded without entering its first step',
          at: new Date(now),
        },
        this.options.env,
      );
  }
}

/** The alert as Alertmanager's webhook receivers expect it; NoData and Error fire with alertstate. */
function webhookAlert(
  definition: AlertDefinition,
  kind: NoticeKind,
  since: string,
  now: number,
  link: string,
  description: string,
): WebhookAlert {
  return {
    status: kind === 'resolved' ? 'resolved' : 'firing',
    labels: { ...definition.labels, ...(kind === 'nodata' || kind === 'error' ? { alertstate: kind } : {}) },
    annotations: { summary: definition.summary, description },
    startsAt: since,
    endsAt: kind === 'resolved' ? new Date(now).toISOString() : ZERO_TIME,
    generatorURL: link,
    fingerprint: definition.fingerprint,
  };
}
