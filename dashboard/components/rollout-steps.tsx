// A stepped rollout at a glance: each step's weight, which are done, which one the canary is on,
// when the next may come (if the judge passes), and who the canary serves.

import { Text } from '@tremor/react';
import type { Deployment } from '@vigil/alerts';
import { formatUtcMinute } from '../lib/format.ts';

type Rollout = NonNullable<Deployment['rollout']>;

function stepState(rollout: Rollout, index: number, state: Deployment['state']): 'done' | 'current' | 'next' {
  if (rollout.step === null || index > rollout.step) return 'next';
  if (index < rollout.step || state === 'promoted') return 'done';
  return 'current';
}

const STYLE = {
  done: 'border-emerald-600 bg-emerald-50 text-emerald-800',
  current: 'border-tremor-brand bg-tremor-brand-muted text-tremor-content-strong font-medium',
  next: 'border-tremor-border text-tremor-content',
};

export function RolloutSteps({ deployment }: { deployment: Deployment & { rollout: Rollout } }) {
  const { rollout } = deployment;
  const entered = new Map(rollout.entered.map((e) => [e.step, e]));
  const cohort =
    rollout.cohort === 'tenants'
      ? `a hashed share of tenants${rollout.tenants.length ? `, and always ${rollout.tenants.join(', ')}` : ''}`
      : 'a random share of requests';
  const due =
    deployment.state !== 'running'
      ? deployment.state === 'promoted'
        ? 'Promoted to 100%.'
        : 'Rolled back.'
      : rollout.nextStepNotBefore
        ? `Next step not before ${formatUtcMinute(rollout.nextStepNotBefore)} UTC, once the judge passes this one.`
        : 'Waiting for its first step.';
  return (
    <div data-testid="rollout-steps" className="mt-3">
      <Text className="font-medium text-tremor-content-strong">Rollout</Text>
      <ol className="mt-2 flex flex-wrap gap-2">
        {rollout.steps.map((weight, index) => {
          const step = entered.get(index);
          const state = stepState(rollout, index, deployment.state);
          return (
            <li
              key={weight}
              data-step-state={state}
              className={`rounded-tremor-small border px-3 py-1 text-tremor-default ${STYLE[state]}`}
              title={step ? `${step.trigger}: ${step.reason}` : undefined}
            >
              {weight}%
              {step ? (
                <span className="ml-1 text-tremor-label">
                  {formatUtcMinute(step.at).slice(11)}
                  {step.status === 'succeeded' ? '' : ` · hooks ${step.status}`}
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
      <Text className="mt-2">
        {due} The canary serves {cohort}.
      </Text>
    </div>
  );
}
