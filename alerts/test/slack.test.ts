// Slack delivery against a server that behaves like Slack: rate limits, Retry-After, 5xx retries,
// and messages within Block Kit's limits.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertMessage } from '../src/slack/message.ts';
import { SlackSender } from '../src/slack/sender.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());

const notice = (name = 'chat-latency') =>
  alertMessage({
    kind: 'firing',
    severity: 'page',
    name,
    summary: `${name}: latency ≤ 800 ms for 99.5% over 30d`,
    project: 'default',
    labels: { alertname: name, slo: name, severity: 'page', project: 'default', service: 'chat-api' },
    deployment: 'v42',
    observed: {
      kind: 'slo',
      sli: 'latency ≤ 800 ms',
      objective: 99.5,
      periodMs: 30 * 86_400_000,
      windows: [
        {
          long: 3_600_000,
          short: 300_000,
          threshold: 14.4,
          longBurn: 20.5,
          shortBurn: 31.2,
          longEvents: 1200,
          shortEvents: 100,
          firing: true,
        },
      ],
    },
    since: '2026-11-23T10:00:00Z',
    link: 'http://127.0.0.1:3000/alerts',
  });

describe('Slack sender', () => {
  it('delivers Block Kit with a text fallback that says what breached, where and since which deploy', async () => {
    slack.received.length = 0;
    const outcome = await new SlackSender().send(slack.url(), notice());
    expect(outcome).toEqual({ ok: true });
    const [message] = slack.received;
    expect(message!.body.text).toContain('FIRING [PAGE] chat-latency');
    expect(message!.body.text).toContain('burn 20.5× / 31.2× vs 14.4×');
    expect(message!.body.text).toContain('deployment v42');
    expect(message!.body.blocks![0]).toMatchObject({ type: 'header' });
  });

  it('keeps within Block Kit limits however long the names are', () => {
    const message = notice('x'.repeat(5000));
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    for (const block of message.blocks) {
      const text = (block as { text?: { text: string } }).text?.text;
      if (text) expect(text.length).toBeLessThanOrEqual(3000);
    }
    expect(message.text.length).toBeLessThanOrEqual(3000);
  });

  it('waits out Retry-After on 429 and then delivers: nothing is dropped', async () => {
    slack.received.length = 0;
    slack.failNext({ status: 429, retryAfterS: 1 }, { status: 429, retryAfterS: 1 });
    const started = Date.now();
    const outcome = await new SlackSender().send(slack.url(), notice());
    expect(outcome).toEqual({ ok: true });
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]!.at - started).toBeGreaterThanOrEqual(2000);
  });

  it('retries 5xx with backoff, and gives a 429 it cannot wait out back to the caller to keep', async () => {
    slack.received.length = 0;
    slack.failNext({ status: 500 }, { status: 503 });
    expect(await new SlackSender().send(slack.url(), notice())).toEqual({ ok: true });
    expect(slack.received).toHaveLength(1);
    slack.failNext({ status: 429, retryAfterS: 60 });
    const outcome = await new SlackSender({ maxInlineWaitMs: 5_000 }).send(slack.url(), notice());
    expect(outcome).toMatchObject({ ok: false, permanent: false, retryAfterMs: 60_000 });
  });

  it('sends at most about one message a second to one webhook', async () => {
    slack.received.length = 0;
    slack.enforceIntervalMs = 900;
    const sender = new SlackSender();
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map((i) => sender.send(slack.url('T1/B1/rate'), notice(`alert-${i}`))),
    );
    slack.enforceIntervalMs = 0;
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const times = slack.received.map((m) => m.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(900);
  });

  it('does not retry a hook Slack says does not exist', async () => {
    const outcome = await new SlackSender().send(slack.url('').replace('/services/', '/nope/'), notice());
    expect(outcome).toMatchObject({ ok: false, permanent: true });
  });
});
