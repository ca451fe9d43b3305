// One alert instance's life: Normal → Pending → Firing → Recovering → Resolved, plus NoData and
// Error (Grafana's states; Prometheus's `for` and `keep_firing_for`). A pure step function: the
// engine persists what it returns and sends what it says to send, so a restart resumes exactly.

export type AlertState = 'normal' | 'pending' | 'firing' | 'recovering' | 'resolved' | 'nodata' | 'error';

/** What an evaluation found: the condition held, did not, there was no data, or the query failed. */
export type Observation = 'true' | 'false' | 'nodata' | 'error';

/** How NoData and Error observations are treated (Grafana's noDataState / execErrState). */
export type StateHandling = 'nodata' | 'error' | 'ok' | 'alerting' | 'keep_last';

export interface InstanceState {
  state: AlertState;
  /** When the current state began. */
  since: number;
  /** When the condition last held (for keep_firing_for). */
  lastTrueAt: number | null;
  /** When the alert started firing, for this incident. */
  firedAt: number | null;
}

export interface Timing {
  forMs: number;
  keepFiringForMs: number;
  noData: StateHandling;
  error: StateHandling;
}

/** A notification the transition calls for. */
export type Transition = 'firing' | 'resolved' | 'nodata' | 'error' | null;

export interface Step {
  next: InstanceState;
  transition: Transition;
}

export const INITIAL: InstanceState = { state: 'normal', since: 0, lastTrueAt: null, firedAt: null };

const ACTIVE: ReadonlySet<AlertState> = new Set(['firing', 'recovering']);

export function isActive(state: AlertState): boolean {
  return ACTIVE.has(state);
}

function handled(observation: Observation, timing: Timing): Observation | 'keep_last' | 'nodata_state' | 'error_state' {
  if (observation === 'true' || observation === 'false') return observation;
  const handling = observation === 'nodata' ? timing.noData : timing.error;
  switch (handling) {
    case 'ok':
      return 'false';
    case 'alerting':
      return 'true';
    case 'keep_last':
      return 'keep_last';
    case 'nodata':
      return 'nodata_state';
    case 'error':
      return 'error_state';
  }
}

export function step(previous: InstanceState, observation: Observation, timing: Timing, now: number): Step {
  const input = handled(observation, timing);
  const move = (state: AlertState, patch: Partial<InstanceState> = {}, transition: Transition = null): Step => ({
    next: { ...previous, state, since: state === previous.state ? previous.since : now, ...patch },
    transition,
  });

  if (input === 'keep_last') return { next: previous, transition: null };

  if (input === 'nodata_state' || input === 'error_state') {
    const state: AlertState = input === 'nodata_state' ? 'nodata' : 'error';
    if (previous.state === state) return { next: previous, transition: null };
    // Leaving Firing for NoData/Error resolves the incident's notification first: the alert can no
    // longer say whether the condition holds, and says so as its own notification.
    return move(state, { firedAt: null }, state);
  }

  if (input === 'true') {
    switch (previous.state) {
      case 'firing':
        return move('firing', { lastTrueAt: now });
      case 'recovering':
        return move('firing', { lastTrueAt: now });
      case 'pending':
        if (now - previous.since >= timing.forMs) return move('firing', { lastTrueAt: now, firedAt: now }, 'firing');
        return move('pending', { lastTrueAt: now });
      default:
        if (timing.forMs <= 0) return move('firing', { lastTrueAt: now, firedAt: now }, 'firing');
        return move('pending', { lastTrueAt: now });
    }
  }

  // The condition does not hold.
  switch (previous.state) {
    case 'firing':
    case 'recovering': {
      const lastTrue = previous.lastTrueAt ?? previous.since;
      if (now - lastTrue >= timing.keepFiringForMs) return move('resolved', { firedAt: null }, 'resolved');
      return move('recovering');
    }
    case 'pending':
    case 'nodata':
    case 'error':
      return move('normal');
    default:
      return { next: previous, transition: null };
  }
}
