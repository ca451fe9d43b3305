// Posts a webhook payload. 2xx is delivered; 429 waits Retry-After; 5xx, timeouts and network errors
// back off; any other 4xx is final (the receiver refused this payload, retrying cannot help).

import { backoff, retryAfterMs, type SendOutcome } from '../delivery.ts';
import type { WebhookPayload } from './payload.ts';

export class WebhookSender {
  private readonly timeoutMs: number;

  constructor(options: { timeoutMs?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(url: string, payload: WebhookPayload, attempt = 0): Promise<SendOutcome> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Vigil-Alerts' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
    } catch (error) {
      return { ok: false, retryAfterMs: backoff(attempt), error: (error as Error).message, permanent: false };
    }
    if (response.ok) return { ok: true };
    if (response.status === 429)
      return {
        ok: false,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
        error: 'rate limited (429)',
        permanent: false,
      };
    if (response.status >= 400 && response.status < 500)
      return { ok: false, retryAfterMs: 0, error: `HTTP ${response.status}`, permanent: true };
    return { ok: false, retryAfterMs: backoff(attempt), error: `HTTP ${response.status}`, permanent: false };
  }
}
