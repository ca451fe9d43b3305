// Alert notifications as Slack Block Kit, inside Slack's limits (50 blocks, 150-character header,
// 3000-character sections, 10 fields of 2000), with a plain `text` fallback for notifications
// and clients that do not render blocks.

import type { KnownBlock } from '@slack/types';
import type { NoticeKind } from '../engine/decide.ts';
import type { AlertObservation } from '../engine/observations.ts';

export interface AlertNotice {
  kind: NoticeKind;
  severity: string;
  name: string;
  summary: string;
  project: string;
  labels: Record<string, string>;
  deployment: string | null;
  observed: AlertObservation;
  since: string;
  link: string;
}

/** Something done to a deployment: rolled back, a rollout step entered, or a rollout held too long. */
export interface DeploymentNotice {
  kind: 'rollback' | 'step' | 'held';
  project: string;
  deployment: string;
  trigger: string;
  reason: string;
  hooks: { hook: string; ok: boolean; detail: string }[];
  link: string;
  /** For rollouts: the step entered or held on. */
  step?: RolloutStepLabel;
}

/** A rollout's step as people read it: 1-based, of how many, at what weight. */
export interface RolloutStepLabel {
  number: number;
  of: number;
  weight: number;
}

/** "25% (step 2 of 3)". */
export function stepLabel(step: RolloutStepLabel): string {
  return `${step.weight}% (step ${step.number} of ${step.of})`;
}

function deploymentTitle(notice: DeploymentNotice): string {
  const step = notice.step ? stepLabel(notice.step) : '';
  switch (notice.kind) {
    case 'rollback':
      return `ROLLBACK ${notice.deployment} (${notice.project})`;
    case 'step':
      return notice.step?.weight === 100
        ? `PROMOTED ${notice.deployment} to 100% (${notice.project})`
        : `ROLLOUT ${notice.deployment} at ${step} (${notice.project})`;
    case 'held':
      return `ROLLOUT HELD ${notice.deployment} at ${step} (${notice.project})`;
  }
}

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

const LIMITS = { header: 150, section: 3000, field: 2000, fields: 10, blocks: 50, text: 3000 };

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const TITLE: Record<AlertNotice['kind'], string> = {
  firing: 'FIRING',
  repeat: 'STILL FIRING',
  resolved: 'RESOLVED',
  nodata: 'NO DATA',
  error: 'EVALUATION ERROR',
};

const ms = (v: unknown) =>
  typeof v === 'number' ? (v % 3_600_000 === 0 ? `${v / 3_600_000}h` : `${Math.round(v / 60_000)}m`) : '?';
const num = (v: unknown, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');

/** What breached, in lines: each window's burn rate against its threshold, or a rule's value. */
export function describeObserved(observed: AlertObservation): string[] {
  switch (observed.kind) {
    case 'slo':
      return observed.windows.map(
        (w) =>
          `${w.firing ? '🔴' : '⚪'} ${ms(w.long)}/${ms(w.short)}: burn ${num(w.longBurn, 1)}× / ${num(w.shortBurn, 1)}× vs ${w.threshold}× (${w.longEvents} events)`,
      );
    case 'rule':
      return [
        `${observed.metric} = ${num(observed.value, 4)} ${observed.op} ${observed.threshold} over ${ms(observed.window)} (${observed.events} events)`,
      ];
    case 'budget':
      return [
        `spent $${num(observed.spentUsd)} · forecast $${num(observed.forecastUsd)} of $${num(observed.monthlyUsd)} (${num(observed.fraction * 100, 0)}% ${observed.measure})`,
        ...(observed.exhaustsAt
          ? [`at the last 24 h's rate it runs out ${observed.exhaustsAt.slice(0, 16).replace('T', ' ')} UTC`]
          : []),
      ];
    case 'budget_burn':
      return [
        ...observed.windows.map(
          (w) =>
            `${w.firing ? '🔴' : '⚪'} ${ms(w.long)}/${ms(w.short)}: spending ${num(w.longBurn, 1)}× / ${num(w.shortBurn, 1)}× the even rate vs ${w.threshold}× ($${num(w.longUsd)} in ${ms(w.long)})`,
        ),
        `spent $${num(observed.spentUsd)} of $${num(observed.monthlyUsd)}${observed.exhaustsAt ? `; at the last 24 h's rate it runs out ${observed.exhaustsAt.slice(0, 16).replace('T', ' ')} UTC` : ''}`,
      ];
    case 'error':
      return [];
  }
}

export function alertMessage(notice: AlertNotice): SlackMessage {
  const title = `${TITLE[notice.kind]} [${notice.severity.toUpperCase()}] ${notice.name}`;
  const lines = describeObserved(notice.observed);
  const context = [
    `project *${notice.project}*`,
    notice.deployment ? `deployment *${notice.deployment}*` : null,
    `since ${notice.since}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const labelFields = Object.entries(notice.labels)
    .filter(([k]) => !['alertname', 'severity', 'project'].includes(k))
    .slice(0, LIMITS.fields)
    .map(([k, v]) => ({ type: 'mrkdwn' as const, text: truncate(`*${k}*\n${v}`, LIMITS.field) }));
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, LIMITS.header) } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate([notice.summary, ...lines].join('\n'), LIMITS.section) },
    },
  ];
  if (labelFields.length) blocks.push({ type: 'section', fields: labelFields });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(context, LIMITS.section) }] });
  blocks.push({
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Vigil' }, url: notice.link }],
  });
  const text = truncate(
    `${title}: ${notice.summary}${lines.length ? ` — ${lines.join('; ')}` : ''}${notice.deployment ? ` (deployment ${notice.deployment})` : ''} ${notice.link}`,
    LIMITS.text,
  );
  return { text, blocks: blocks.slice(0, LIMITS.blocks) };
}

export function deploymentMessage(notice: DeploymentNotice): SlackMessage {
  const title = deploymentTitle(notice);
  const hookLines = notice.hooks.map((h) => `${h.ok ? '✅' : '❌'} ${h.hook}: ${h.detail}`);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, LIMITS.header) } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`Triggered by *${notice.trigger}*: ${notice.reason}`, LIMITS.section) },
    },
  ];
  if (hookLines.length)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(hookLines.join('\n'), LIMITS.section) } });
  blocks.push({
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open deployment' }, url: notice.link }],
  });
  return {
    text: truncate(
      `${title}: ${notice.trigger}: ${notice.reason}. ${hookLines.join('; ')} ${notice.link}`,
      LIMITS.text,
    ),
    blocks,
  };
}

/**
 * Several notifications for one webhook, project and severity that are due together, as one
 * message (Alertmanager's grouping): a header, then each alert's summary section, within 50 blocks.
 */
export function groupedMessage(messages: SlackMessage[]): SlackMessage {
  if (messages.length === 1) return messages[0]!;
  const header: KnownBlock = {
    type: 'header',
    text: { type: 'plain_text', text: truncate(`${messages.length} alert notifications`, LIMITS.header) },
  };
  const blocks: KnownBlock[] = [header];
  for (const message of messages) {
    const title = message.blocks.find((b) => b.type === 'header') as { text: { text: string } } | undefined;
    const section = message.blocks.find((b) => b.type === 'section' && 'text' in b) as
      | { text: { text: string } }
      | undefined;
    const text = `*${title?.text.text ?? ''}*\n${section?.text.text ?? ''}`;
    if (blocks.length + 2 > LIMITS.blocks) break;
    blocks.push(
      { type: 'divider' },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.section) } },
    );
  }
  const link = messages.flatMap((m) => m.blocks).find((b) => b.type === 'actions');
  if (link && blocks.length < LIMITS.blocks) blocks.push(link);
  return { text: truncate(messages.map((m) => m.text).join('\n'), LIMITS.text), blocks };
}
