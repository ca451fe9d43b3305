#!/usr/bin/env node
// Runs the fake providers on their own: `node examples/fake-providers/src/main.ts [--port 4010]`.

import { parseArgs } from 'node:util';
import { startFakeProviders } from './server.ts';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '4010' }, host: { type: 'string', default: '127.0.0.1' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`error: --port must be a port number, got ${values.port}\n`);
  process.exit(2);
}
const providers = await startFakeProviders({ port, host: values.host });
process.stdout.write(`fake providers: OpenAI ${providers.openaiBaseUrl}, Anthropic ${providers.anthropicBaseUrl}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void providers.close().then(() => process.exit(0)));
