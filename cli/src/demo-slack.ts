// A stand-in for Slack's incoming webhooks, for the demo: it takes what the alert engine posts
// (JSON with text and blocks, as Slack documents) and answers "ok" as Slack does, keeping the
// messages. The engine's delivery log (alert_notifications) records each one as sent.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The variable the demo's Slack route names (its overrides), set to the stand-in's URL. */
export const DEMO_SLACK_ENV = 'VIGIL_DEMO_SLACK_URL';

export interface SlackStandIn {
  url: string;
  messages: { text: string }[];
  close(): Promise<void>;
}

export async function startSlackStandIn(): Promise<SlackStandIn> {
  const messages: { text: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      if (body.length < 1_000_000) body += chunk;
    });
    request.on('end', () => {
      try {
        const parsed = JSON.parse(body) as { text?: unknown };
        messages.push({ text: typeof parsed.text === 'string' ? parsed.text : '' });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } catch {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/demo`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
