// Who hears about an alert, tick by tick, without Postgres: the engine's policy as a pure function.

import { describe, expect, it } from 'vitest';
import type { AlertDefinition, Evaluation } from '../src/engine/alert-definition.ts';
import { decideNotifications, type InstanceDecision, type StoredInstance } from '../src/engine/decide.ts';
import type { Silence } from '../src/engine/policy.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function definition(severity: 'page' | 'ticket', overrides: Partial<AlertDefinition> = {}): AlertDefinition {
  return {
    fingerprint: `chat-errors-${severity}`,
    projectId: 'p1',
    projectName: 'shop',
    tenantId: '*',
    name: 'chat-errors',
    kind: 'slo',
    severity,
    labels: { alertname: 'chat-errors', slo: 'chat-errors', severity, project: 'shop' },
    timing: { forMs: 0, keepFiringForMs: 0, noData: 'nodata', error: 'error' },
    summary: 'chat-errors: no errors for 99.9% over 30d',
    deployment: null,
    evaluate: async () => {
      throw new Error('not evaluated in these tests');
    },
    ...overrides,
  };
}

const seen = (observation: Evaluation['observation']): Evaluation => ({
  observation,
  observed: { kind: 'slo', sli: 'no errors', objective: 99.9, periodMs: 30 * 24 * HOUR, windows: [] },
});

/** Runs ticks, carrying state between them as the engine's store does. */
function ticks(
  definitions: AlertDefinition[],
  observations: Record<string, Evaluation['observation']>[],
  options: { silences?: Silence[]; repeatIntervalMs?: number; stepMs?: number } = {},
): InstanceDecision[][] {
  const stored = new Map<string, StoredInstance>();
  return observations.map((byFingerprint, i) => {
    const evaluations = new Map(definitions.map((d) => [d.fingerprint, seen(byFingerprint[d.fingerprint] ?? 'false')]));
    const decisions = decideNotifications({
      definitions,
      evaluations,
      stored,
      silences: options.silences ?? [],
      repeatIntervalMs: options.repeatIntervalMs ?? 4 * HOUR,
      now: i * (options.stepMs ?? 10_000),
    });
    for (const d of decisions) stored.set(d.definition.fingerprint, { state: d.state, lastNotifiedAt: d.notifiedAt });
    return decisions;
  });
}

const notices = (run: InstanceDecision[][], fingerprint: string) =>
  run.map((decisions) => {
    const notice = decisions.find((d) => d.definition.fingerprint === fingerprint)!.notice;
    return notice ? `${notice.kind}:${notice.status}` : null;
  });

describe('decideNotifications', () => {
  const page = definition('page');
  const ticket = definition('ticket');

  it('announces a page once when it fires and once when it resolves', () => {
    const run = ticks([page], [{}, { [page.fingerprint]: 'true' }, { [page.fingerprint]: 'true' }, {}, {}]);
    expect(notices(run, page.fingerprint)).toEqual([null, 'firing:pending', null, 'resolved:pending', null]);
  });

  it('keeps a silenced alert in the log, never sent, its resolution too', () => {
    const silences = [{ projectId: 'p1', matchers: { slo: 'chat-errors' } }];
    const run = ticks([page], [{ [page.fingerprint]: 'true' }, {}], { silences });
    expect(notices(run, page.fingerprint)).toEqual(['firing:silenced', 'resolved:silenced']);
  });

  it('lets a firing page inhibit the same alert’s ticket, and announces the ticket once the page resolves', () => {
    const both = { [page.fingerprint]: 'true', [ticket.fingerprint]: 'true' } as const;
    const run = ticks([page, ticket], [both, both, { [ticket.fingerprint]: 'true' }]);
    expect(notices(run, page.fingerprint)).toEqual(['firing:pending', null, 'resolved:pending']);
    expect(notices(run, ticket.fingerprint)).toEqual(['firing:inhibited', null, 'firing:pending']);
  });

  it('says nothing of the resolution of an alert that was never announced', () => {
    const both = { [page.fingerprint]: 'true', [ticket.fingerprint]: 'true' } as const;
    const run = ticks([page, ticket], [both, {}]);
    expect(notices(run, ticket.fingerprint)).toEqual(['firing:inhibited', 'resolved:inhibited']);
  });

  it('repeats a firing alert after the repeat interval, not before', () => {
    const firing = { [page.fingerprint]: 'true' } as const;
    const run = ticks([page], [firing, firing, firing, firing], { repeatIntervalMs: 2 * MINUTE, stepMs: MINUTE });
    expect(notices(run, page.fingerprint)).toEqual(['firing:pending', null, 'repeat:pending', null]);
  });

  it('rolls back a deployment when a page scoped to it fires, and not for tickets or unscoped pages', () => {
    const scoped = definition('page', { fingerprint: 'scoped', deployment: 'v42' });
    const scopedTicket = definition('ticket', { fingerprint: 'scoped-ticket', deployment: 'v42' });
    const [first] = ticks(
      [scoped, scopedTicket, page],
      [{ scoped: 'true', 'scoped-ticket': 'true', [page.fingerprint]: 'true' }],
    );
    expect(first!.map((d) => [d.definition.fingerprint, d.rollBack])).toEqual([
      ['scoped', true],
      ['scoped-ticket', false],
      [page.fingerprint, false],
    ]);
  });

  it('reports each transition from the stored state', () => {
    const run = ticks([page], [{ [page.fingerprint]: 'true' }, { [page.fingerprint]: 'nodata' }]);
    expect(run.map(([d]) => `${d!.from}→${d!.state.state}`)).toEqual(['normal→firing', 'firing→nodata']);
    expect(notices(run, page.fingerprint)).toEqual(['firing:pending', 'nodata:pending']);
  });
});
