// The engine's policy for one tick, with no I/O: step each instance's state machine with what was
// observed, then decide who hears about it. Silences mute, a firing page inhibits the same alert's
// ticket, an instance still firing is repeated after repeatInterval, and a resolution of something
// never announced is kept quiet (as Alertmanager does). Unit-tested without Postgres.

import { type AlertState, INITIAL, type InstanceState, isActive, step } from '../state/machine.ts';
import type { AlertDefinition, Evaluation } from './alert-definition.ts';
import { inhibitedBy, isSilenced, type Silence } from './policy.ts';

export type NoticeKind = 'firing' | 'resolved' | 'nodata' | 'error' | 'repeat';
/** pending: to be delivered; silenced and inhibited are kept in the log, not sent. */
export type NoticeStatus = 'pending' | 'silenced' | 'inhibited';

/** What the engine stored for an instance after its last tick. */
export interface StoredInstance {
  state: InstanceState;
  /** When a notification for it was last queued for delivery; null once it resolved. */
  lastNotifiedAt: number | null;
}

export interface InstanceDecision {
  definition: AlertDefinition;
  evaluation: Evaluation;
  from: AlertState;
  state: InstanceState;
  notice: { kind: NoticeKind; status: NoticeStatus } | null;
  /** lastNotifiedAt to store. */
  notifiedAt: number | null;
  /** A page that just fired on an SLO scoped to one deployment: roll that deployment back. */
  rollBack: boolean;
}

export interface TickInput {
  definitions: readonly AlertDefinition[];
  evaluations: ReadonlyMap<string, Evaluation>;
  stored: ReadonlyMap<string, StoredInstance>;
  silences: readonly Silence[];
  repeatIntervalMs: number;
  now: number;
}

export function decideNotifications(input: TickInput): InstanceDecision[] {
  const { definitions, evaluations, stored, silences, repeatIntervalMs, now } = input;
  const stepped = definitions.map((definition) => {
    const evaluation = evaluations.get(definition.fingerprint)!;
    const before = stored.get(definition.fingerprint);
    const result = step(before?.state ?? { ...INITIAL, since: now }, evaluation.observation, definition.timing, now);
    return { definition, evaluation, before, next: result.next, transition: result.transition };
  });
  // States after this tick, for inhibition: a firing page mutes the tickets of the same SLO.
  const firing = stepped.filter((s) => isActive(s.next.state)).map((s) => s.definition);

  return stepped.map(({ definition, evaluation, before, next, transition }) => {
    const lastNotifiedAt = before?.lastNotifiedAt ?? null;
    const silenced = isSilenced(definition, silences);
    const inhibited = inhibitedBy(definition, firing);
    let kind: NoticeKind | null = (transition as NoticeKind | null) ?? null;
    if (!kind && next.state === 'firing') {
      // Held back while inhibited or silenced, told once that no longer holds.
      if (lastNotifiedAt === null && !silenced && !inhibited) kind = 'firing';
      else if (lastNotifiedAt !== null && now - lastNotifiedAt >= repeatIntervalMs) kind = 'repeat';
    }
    let notice: InstanceDecision['notice'] = null;
    let notifiedAt = lastNotifiedAt;
    if (kind) {
      const unannounced = kind === 'resolved' && lastNotifiedAt === null;
      const status: NoticeStatus = silenced
        ? 'silenced'
        : ((kind === 'firing' || kind === 'repeat') && inhibited) || unannounced
          ? 'inhibited'
          : 'pending';
      notice = { kind, status };
      if (status === 'pending') notifiedAt = now;
      if (kind === 'resolved' || kind === 'nodata' || kind === 'error') notifiedAt = null;
    }
    return {
      definition,
      evaluation,
      from: before?.state.state ?? 'normal',
      state: next,
      notice,
      notifiedAt,
      rollBack: kind === 'firing' && definition.severity === 'page' && definition.deployment !== null,
    };
  });
}
