// Alertmanager's webhook payload, version 4 (prometheus/alertmanager notify/webhook): what its
// receivers already parse. One message per group (project and severity), as Alertmanager groups.

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** Alertmanager's zero time while firing. */
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The label pairs every map has in common. */
function common(maps: Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((m) => m[key] === value)));
}

export function webhookPayload(options: {
  receiver: string;
  groupLabels: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
  maxAlerts: number;
}): WebhookPayload {
  // The newest word on each alert wins (a resolution after its firing, in one batch).
  const latest = new Map<string, WebhookAlert>();
  for (const alert of options.alerts) latest.set(alert.fingerprint, alert);
  const alerts = [...latest.values()];
  const kept = options.maxAlerts > 0 ? alerts.slice(0, options.maxAlerts) : alerts;
  return {
    version: '4',
    groupKey: `{}:{${Object.entries(options.groupLabels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ')}}`,
    truncatedAlerts: alerts.length - kept.length,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: options.receiver,
    groupLabels: options.groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: options.externalURL,
    alerts: kept,
  };
}
