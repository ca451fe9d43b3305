// Delivers Slack messages through @slack/webhook, at most about one a second per webhook (Slack's
// limit for incoming webhooks). A 429 is never a drop: the message waits out Retry-After and goes
// again. 5xx and network errors retry with jittered exponential backoff. The outcome says when to
// try again, so the caller (the outbox) keeps the message across restarts.

import { IncomingWebhook } from '@slack/webhook';
import { backoff, retryAfterMs, type SendOutcome } from '../delivery.ts';
import type { SlackMessage } from './message.ts';

export interface SlackSenderOptions {
  timeoutMs?: number;
  /** Minimum gap between two messages to one webhook. */
  intervalMs?: number;
  /** How long the sender itself keeps retrying one message before handing it back. */
  maxInlineWaitMs?: number;
}

export class SlackSender {
  private readonly nextSlot = new Map<string, number>();
  private readonly timeoutMs: number;
  private readonly intervalMs: number;
  private readonly maxInlineWaitMs: number;

  constructor(options: SlackSenderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.intervalMs = options.intervalMs ?? 1_000;
    this.maxInlineWaitMs = options.maxInlineWaitMs ?? 15_000;
  }

  /** Waits for the webhook's next slot (the per-webhook rate limit). */
  private async slot(url: string): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextSlot.get(url) ?? 0);
    this.nextSlot.set(url, at + this.intervalMs);
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }

  async send(url: string, message: SlackMessage, attempt = 0): Promise<SendOutcome> {
    const started = Date.now();
    let outcome: SendOutcome = { ok: false, retryAfterMs: 1000, error: 'not sent', permanent: false };
    for (let tries = attempt; ; tries++) {
      await this.slot(url);
      outcome = await this.once(url, message, tries);
      if (outcome.ok || outcome.permanent) return outcome;
      if (Date.now() - started + outcome.retryAfterMs > this.maxInlineWaitMs) return outcome;
      // A 429 also pushes the webhook's next slot back, for every message waiting on it.
      this.nextSlot.set(url, Math.max(this.nextSlot.get(url) ?? 0, Date.now() + outcome.retryAfterMs));
      await new Promise((r) => setTimeout(r, outcome.ok ? 0 : outcome.retryAfterMs));
    }
  }

  private async once(url: string, message: SlackMessage, attempt: number): Promise<SendOutcome> {
    let retryAfterHeader: string | null = null;
    const webhook = new IncomingWebhook(url, {
      timeout: this.timeoutMs,
      // @slack/webhook reports a status and body but not headers; Retry-After lives in a header.
      fetch: async (input: string | URL | Request, init?: RequestInit) => {
        const response = await fetch(input, init);
        retryAfterHeader = response.headers.get('retry-after');
        return response;
      },
    });
    try {
      await webhook.send(message);
      return { ok: true };
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      const detail = (error as Error).message;
      if (status === 429)
        return {
          ok: false,
          retryAfterMs: retryAfterMs(retryAfterHeader),
          error: 'rate limited (429)',
          permanent: false,
        };
      if (status !== undefined && status >= 400 && status < 500) {
        // 404 no_service, 403 action_prohibited, 400 invalid_payload: retrying cannot help.
        return {
          ok: false,
          retryAfterMs: 0,
          error: `${status} ${String((error as { body?: string }).body ?? '').slice(0, 200)}`,
          permanent: true,
        };
      }
      return { ok: false, retryAfterMs: backoff(attempt), error: status ? `HTTP ${status}` : detail, permanent: false };
    }
  }
}
