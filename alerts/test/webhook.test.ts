// Webhook notifications in Alertmanager's format (version 4): the payload's fields, truncation and
// common labels; the sender's answers to 2xx, 429, 5xx, 4xx and a receiver that never answers.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebhookAlert, ZERO_TIME, webhookPayload } from '../src/webhook/payload.ts';
import { WebhookSender } from '../src/webhook/sender.ts';
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from './support/fake-webhook-receiver.ts';

const alert = (name: string, status: 'firing' | 'resolved', extra: Record<string, string> = {}): WebhookAlert => ({
  status,
  labels: { alertname: name, project: 'shop', severity: 'page', ...extra },
  annotations: { summary: `${name} burns` },
  startsAt: '2026-11-23T10:00:00.000Z',
  endsAt: status === 'resolved' ? '2026-11-23T10:30:00.000Z' : ZERO_TIME,
  generatorURL: `http://vigil/alerts?alert=${name}`,
  fingerprint: `fp-${name}`,
});

describe('the webhook payload', () => {
  it('has every field of Alertmanager version 4, with the labels all alerts share', () => {
    const payload = webhookPayload({
      receiver: 'pager',
      groupLabels: { project: 'shop', severity: 'page' },
      externalURL: 'http://vigil',
      alerts: [
        alert('chat-errors', 'firing', { service: 'chat' }),
        alert('chat-ttft', 'resolved', { service: 'chat' }),
      ],
      maxAlerts: 0,
    });
    expect(Object.keys(payload).sort()).toEqual([
      'alerts',
      'commonAnnotations',
      'commonLabels',
      'externalURL',
      'groupKey',
      'groupLabels',
      'receiver',
      'status',
      'truncatedAlerts',
      'version',
    ]);
    expect(payload).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'pager',
      truncatedAlerts: 0,
      groupKey: '{}:{project="shop", severity="page"}',
    });
    expect(payload.commonLabels).toEqual({ project: 'shop', severity: 'page', service: 'chat' });
    expect(payload.commonAnnotations).toEqual({});
    expect(Object.keys(payload.alerts[0]!).sort()).toEqual([
      'annotations',
      'endsAt',
      'fingerprint',
      'generatorURL',
      'labels',
      'startsAt',
      'status',
    ]);
    expect(payload.alerts[0]!.endsAt).toBe('0001-01-01T00:00:00Z');
  });

  it('is resolved only when every alert in it is, keeps the newest word per alert, and truncates at maxAlerts', () => {
    const resolved = webhookPayload({
      receiver: 'r',
      groupLabels: {},
      externalURL: '',
      alerts: [alert('a', 'firing'), alert('a', 'resolved')],
      maxAlerts: 0,
    });
    expect(resolved.status).toBe('resolved');
    expect(resolved.alerts).toHaveLength(1);
    const truncated = webhookPayload({
      receiver: 'r',
      groupLabels: {},
      externalURL: '',
      alerts: ['a', 'b', 'c'].map((n) => alert(n, 'firing')),
      maxAlerts: 2,
    });
    expect(truncated.alerts.map((a) => a.labels.alertname)).toEqual(['a', 'b']);
    expect(truncated.truncatedAlerts).toBe(1);
  });
});

describe('the webhook sender', () => {
  let receiver: FakeWebhookReceiver;
  beforeAll(async () => {
    receiver = await startFakeWebhookReceiver();
  });
  afterAll(() => receiver.close());
  const payload = webhookPayload({
    receiver: 'r',
    groupLabels: {},
    externalURL: '',
    alerts: [alert('a', 'firing')],
    maxAlerts: 0,
  });

  it('posts JSON and reports 2xx as sent', async () => {
    expect(await new WebhookSender().send(receiver.url('/hook'), payload)).toEqual({ ok: true });
    expect(receiver.received.at(-1)).toMatchObject({ path: '/hook', body: payload });
    expect(receiver.received.at(-1)!.headers['content-type']).toBe('application/json');
  });

  it('waits out Retry-After on 429, backs off on 5xx, and gives up on other 4xx', async () => {
    receiver.answerNext({ status: 429, retryAfterS: 7 }, { status: 503 }, { status: 400 });
    const sender = new WebhookSender();
    expect(await sender.send(receiver.url(), payload)).toEqual({
      ok: false,
      retryAfterMs: 7000,
      error: 'rate limited (429)',
      permanent: false,
    });
    expect(await sender.send(receiver.url(), payload)).toMatchObject({
      ok: false,
      error: 'HTTP 503',
      permanent: false,
    });
    expect(await sender.send(receiver.url(), payload)).toMatchObject({ ok: false, error: 'HTTP 400', permanent: true });
  });

  it('treats a receiver that does not answer in time as down, not as refusing', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const outcome = await new WebhookSender({ timeoutMs: 200 }).send(
      `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
      payload,
    );
    silent.closeAllConnections();
    silent.close();
    expect(outcome).toMatchObject({ ok: false, permanent: false });
  });
});
