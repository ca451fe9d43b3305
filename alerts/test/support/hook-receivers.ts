// Local servers that speak the hooks' contracts: a receiver of Vigil's signed webhook at /rollback
// and /promote (verifying the signature and refusing replays by idempotency key), GitHub's
// POST /repos/{owner}/{repo}/dispatches (204, 401 without a token, 422 without event_type), and a
// feature-flag kill switch. Each records what it accepted.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/hooks/signature.ts';

export interface ReceivedHook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  at: number;
}

export interface HookReceivers {
  url: string;
  webhook: ReceivedHook[];
  /** Signed promote hooks (POST /promote). */
  promote: ReceivedHook[];
  github: ReceivedHook[];
  flag: ReceivedHook[];
  rejected: { path: string; status: number; reason: string }[];
  /** Answer the next webhook calls with these statuses (then 200). */
  failWebhook(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startHookReceivers(secret: string, githubToken: string): Promise<HookReceivers> {
  const seenKeys = new Set<string>();
  const failures: number[] = [];
  const receivers: Omit<HookReceivers, 'url' | 'close'> = {
    webhook: [],
    promote: [],
    github: [],
    flag: [],
    rejected: [],
    failWebhook: (...statuses) => failures.push(...statuses),
  };
  const server = createServer(async (request, response) => {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const path = request.url ?? '/';
    const reject = (status: number, reason: string) => {
      receivers.rejected.push({ path, status, reason });
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: reason }));
    };
    const record = (list: ReceivedHook[], status = 200) => {
      list.push({ path, headers: request.headers, body: JSON.parse(raw), at: Date.now() });
      response.writeHead(status);
      response.end();
    };
    if (path === '/rollback' || path === '/promote') {
      const failure = path === '/rollback' ? failures.shift() : undefined;
      if (failure) return reject(failure, 'told to fail');
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
      );
      const verified = verifySignature(secret, headers, raw);
      if (!verified.ok) return reject(401, verified.reason);
      const key = String(request.headers['idempotency-key']);
      if (seenKeys.has(key)) return reject(409, 'replay: idempotency key already seen');
      seenKeys.add(key);
      return record(path === '/rollback' ? receivers.webhook : receivers.promote);
    }
    const dispatch = /^\/repos\/([\w.-]+)\/([\w.-]+)\/dispatches$/.exec(path);
    if (dispatch) {
      if (request.headers.authorization !== `Bearer ${githubToken}`) return reject(401, 'Bad credentials');
      if (!JSON.parse(raw).event_type) return reject(422, 'event_type is required');
      return record(receivers.github, 204);
    }
    if (path.startsWith('/flags/')) return record(receivers.flag);
    reject(404, 'Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    ...receivers,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  } as HookReceivers;
}
