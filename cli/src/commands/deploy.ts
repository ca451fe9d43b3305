// `vigil deploy start|promote|rollback` and `vigil gate`: what a deploy pipeline calls. gate exits
// 0 to promote, 1 to roll back, 2 when the judge cannot tell yet (too little traffic, marginal),
// and 3 when it could not judge at all (no such deployment, data unreadable).

import type { Command } from 'commander';
import {
  ConfigSource,
  type EnterStepOutcome,
  enterStep,
  findDeployment,
  judgeDeployment,
  promoteDeployment,
  readServing,
  recordDeployment,
  rollBack,
  comparedSlicesSchema,
  rolloutPlanOf,
  rolloutSchema,
} from '@vigil/alerts';
import { findProject, recordAudit, SERVICE_CALLER } from '@vigil/core';
import { cliAudit, withDatabase } from '../context.ts';
import { info, result } from '../output.ts';

const EXIT = { pass: 0, fail: 1, inconclusive: 2, error: 3 } as const;

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** "prompt=answer,promptVersion=4" as a selector's input: each key once, values split by "|". */
function selectorOf(text: string): Record<string, string[]> {
  const selector: Record<string, string[]> = {};
  for (const pair of list(text)) {
    const [key, value] = pair.split('=', 2);
    if (!key || !value) throw new Error(`"${pair}" is not key=value (e.g. promptVersion=4)`);
    selector[key.trim()] = value.split('|').map((v) => v.trim());
  }
  return selector;
}

function describeStep(step: EnterStepOutcome): string {
  if (!step.entered) return `no step entered: ${step.reason.replaceAll('_', ' ')}`;
  const hooks = step.hooks.map((h) => `${h.ok ? 'ok' : 'FAILED'} ${h.hook}`).join(', ');
  return `${step.final ? 'promoted to 100%' : `step ${step.step + 1} at ${step.weight}%`}; promote hooks ${step.status}${hooks ? ` (${hooks})` : ''}`;
}

async function projectId(pool: import('pg').Pool, name: string): Promise<string> {
  const project = await findProject(pool, name);
  if (!project) throw new Error(`no project named "${name}"`);
  return project.id;
}

export function registerDeployCommands(program: Command): void {
  const deploy = program.command('deploy').description('record deployments for the canary judge and rollback hooks');

  deploy
    .command('start')
    .description('record a running deployment (a canary when it has a baseline)')
    .requiredOption('--deployment <name>', 'the new deployment, as spans name it (service.version / vigil.deployment)')
    .option('--baseline <name>', 'the deployment it is compared with')
    .option('--weight <percent>', 'share of traffic it gets', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 100) throw new Error('--weight must be a percentage between 0 and 100');
      return n;
    })
    .option('--steps <weights>', 'a stepped rollout through these weights, e.g. 5,25,100: Vigil promotes on Pass')
    .option('--min-step-time <duration>', 'each step lasts at least this long (default: canary.rollout.minStepTime)')
    .option('--cohort <kind>', 'who the canary serves: traffic (a random share) or tenants (a hashed share)')
    .option('--tenants <ids>', 'tenants the canary serves from its first step (with --cohort tenants)')
    .option('--canary-selector <k=v,…>', 'judge this slice of traffic instead, e.g. prompt=answer,promptVersion=4')
    .option('--baseline-selector <k=v,…>', 'against this slice, e.g. prompt=answer,promptVersion=3')
    .option('--project <name>', 'the project', 'default')
    .action(
      async (options: {
        deployment: string;
        baseline?: string;
        weight?: number;
        steps?: string;
        minStepTime?: string;
        cohort?: string;
        tenants?: string;
        canarySelector?: string;
        baselineSelector?: string;
        project: string;
      }) => {
        if ((options.canarySelector === undefined) !== (options.baselineSelector === undefined))
          throw new Error('give --canary-selector and --baseline-selector together');
        const slices =
          options.canarySelector && options.baselineSelector
            ? comparedSlicesSchema.parse({
                canary: selectorOf(options.canarySelector),
                baseline: selectorOf(options.baselineSelector),
              })
            : undefined;
        const rollout =
          options.steps === undefined
            ? undefined
            : rolloutSchema.parse({
                steps: list(options.steps).map(Number),
                ...(options.minStepTime ? { minStepTime: options.minStepTime } : {}),
                ...(options.cohort ? { cohort: options.cohort } : {}),
                ...(options.tenants ? { tenants: list(options.tenants) } : {}),
              });
        if (!rollout && (options.minStepTime || options.cohort || options.tenants))
          throw new Error('--min-step-time, --cohort and --tenants belong to a stepped rollout: give --steps');
        if (rollout && options.weight !== undefined)
          throw new Error('a rollout sets its weight by its steps: leave --weight out');
        await withDatabase(async (db, config) => {
          const id = await projectId(db.pool, options.project);
          const { config: alerts } = await new ConfigSource(db.pool, config.VIGIL_CONFIG).load();
          const started = await recordDeployment(db.pool, id, {
            name: options.deployment,
            baseline: options.baseline,
            weight: options.weight,
            source: 'cli',
            slices,
            rollout: rollout && rolloutPlanOf(rollout, alerts),
          });
          await recordAudit(db.pool, {
            ...cliAudit(),
            projectId: id,
            action: 'deployment.started',
            target: options.deployment,
            after: { baseline: started.baseline, weight: started.weight, steps: started.steps, state: started.state },
          });
          const running = `deployment ${options.deployment} running${options.baseline ? ` against baseline ${options.baseline}` : ''}`;
          if (!rollout) {
            result(`${running}${options.weight !== undefined ? ` at ${options.weight}%` : ''}`);
            return;
          }
          const step = await enterStep(db.pool, alerts, {
            projectId: id,
            projectName: options.project,
            deployment: options.deployment,
            toStep: 0,
            trigger: 'start',
            reason: 'rollout started',
          });
          result(`${running}, stepping through ${rollout.steps.join(', ')}%: ${describeStep(step)}`);
          if (step.entered && step.status !== 'succeeded') process.exitCode = 1;
        });
      },
    );

  deploy
    .command('promote')
    .description('mark a running deployment promoted (a stepped rollout goes to 100% at once: its promote hooks)')
    .requiredOption('--deployment <name>', 'the deployment')
    .option('--reason <text>', 'why, for the audit trail and Slack', 'promoted by hand')
    .option('--project <name>', 'the project', 'default')
    .action(async (options: { deployment: string; reason: string; project: string }) => {
      await withDatabase(async (db, config) => {
        const id = await projectId(db.pool, options.project);
        const found = await findDeployment(db.pool, id, options.deployment);
        if (found?.rollout) {
          const { config: alerts } = await new ConfigSource(db.pool, config.VIGIL_CONFIG).load();
          const step = await enterStep(db.pool, alerts, {
            projectId: id,
            projectName: options.project,
            deployment: options.deployment,
            toStep: 'final',
            trigger: 'manual',
            reason: options.reason,
          });
          if (!step.entered) throw new Error(`not promoted: ${step.reason.replaceAll('_', ' ')}`);
          result(`deployment ${options.deployment} ${describeStep(step)}`);
          if (step.status !== 'succeeded') process.exitCode = 1;
          return;
        }
        if (!(await promoteDeployment(db.pool, id, options.deployment)))
          throw new Error(`deployment "${options.deployment}" is not running`);
        await recordAudit(db.pool, {
          ...cliAudit(),
          projectId: id,
          action: 'deployment.promoted',
          target: options.deployment,
          before: { state: 'running' },
          after: { state: 'promoted', reason: options.reason },
        });
        result(`deployment ${options.deployment} promoted`);
      });
    });

  deploy
    .command('serving')
    .description('which deployment serves a tenant now (a tenant cohort’s canary or its baseline)')
    .requiredOption('--tenant <id>', 'the tenant (org id)')
    .option('--project <name>', 'the project', 'default')
    .action(async (options: { tenant: string; project: string }) => {
      await withDatabase(async (db) => {
        const id = await projectId(db.pool, options.project);
        const serving = await readServing(db.pool, SERVICE_CALLER, id, options.tenant);
        result(`${serving.deployment ?? '(none)'}\t${serving.reason}`);
      });
    });

  deploy
    .command('rollback')
    .description('roll a deployment back now: calls the rollback hooks once')
    .requiredOption('--deployment <name>', 'the deployment')
    .option('--reason <text>', 'why, for the audit trail and Slack', 'rolled back by hand')
    .option('--project <name>', 'the project', 'default')
    .action(async (options: { deployment: string; reason: string; project: string }) => {
      await withDatabase(async (db, config) => {
        const id = await projectId(db.pool, options.project);
        const { config: alerts } = await new ConfigSource(db.pool, config.VIGIL_CONFIG).load();
        const outcome = await rollBack(db.pool, alerts, {
          projectId: id,
          projectName: options.project,
          deployment: options.deployment,
          trigger: 'manual',
          reason: options.reason,
          audit: cliAudit(),
        });
        if (!outcome.started) throw new Error(`not rolled back: ${outcome.reason.replaceAll('_', ' ')}`);
        for (const hook of outcome.hooks)
          info(
            `${hook.ok ? 'ok' : 'FAILED'} ${hook.hook} (${hook.attempts.length} attempt${hook.attempts.length === 1 ? '' : 's'})`,
          );
        result(`rollback ${outcome.status}`);
        if (outcome.status !== 'succeeded') process.exitCode = 1;
      });
    });

  program
    .command('gate')
    .description('judge a canary now: exit 0 promote, 1 roll back, 2 inconclusive, 3 could not judge')
    .requiredOption('--deployment <name>', 'the canary deployment')
    .option('--project <name>', 'the project', 'default')
    .option('--json', 'print the whole judgement as JSON')
    .action(async (options: { deployment: string; project: string; json?: boolean }) => {
      const verdict = await withDatabase(async (db, config) => {
        const id = await projectId(db.pool, options.project);
        const deployment = await findDeployment(db.pool, id, options.deployment);
        if (!deployment) {
          info(
            `no deployment "${options.deployment}" in project ${options.project}: record it with "vigil deploy start"`,
          );
          return 'error' as const;
        }
        const { config: alerts } = await new ConfigSource(db.pool, config.VIGIL_CONFIG).load();
        const judged = await judgeDeployment(db.pool, alerts.canary, deployment);
        if (options.json)
          result(
            JSON.stringify({
              deployment: options.deployment,
              verdict: judged.verdict,
              score: judged.score,
              baseline: judged.baseline,
              reason: judged.reason,
              metrics: judged.judgement?.metrics ?? [],
            }),
          );
        else
          result(
            `${judged.verdict.toUpperCase()}${judged.score !== null ? ` (score ${judged.score})` : ''}: ${options.deployment} vs ${judged.baseline ?? 'no baseline'}: ${judged.reason}`,
          );
        return judged.verdict;
      });
      process.exitCode = EXIT[verdict];
    });
}
