// The example app: node --import ./src/instrumentation.ts src/main.ts
// Environment: DATABASE_URL, OPENAI_BASE_URL, ANTHROPIC_BASE_URL, OPENAI_API_KEY, ANTHROPIC_API_KEY,
// APP_PORT (default 8787), PRIMARY_MODEL (gpt-4o-mini), FALLBACK_MODEL (claude-haiku-4-5).

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import pg from 'pg';
import { shutdown } from '@vigil/sdk';
import { z } from 'zod';
import { Orchestrator } from './orchestrator.ts';
import { ensureAppSchema } from './schema.ts';
import { createAppServer } from './server.ts';

const env = z
  .object({
    DATABASE_URL: z.string().url(),
    OPENAI_BASE_URL: z.string().url(),
    ANTHROPIC_BASE_URL: z.string().url(),
    OPENAI_API_KEY: z.string().min(1).default('sk-demo'),
    ANTHROPIC_API_KEY: z.string().min(1).default('sk-ant-demo'),
    APP_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    PRIMARY_MODEL: z.string().min(1).default('gpt-4o-mini'),
    FALLBACK_MODEL: z.string().min(1).default('claude-haiku-4-5'),
  })
  .safeParse(process.env);
if (!env.success) {
  process.stderr.write(`ai-app: ${env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
  process.exit(2);
}
const settings = env.data;

const pool = new pg.Pool({ connectionString: settings.DATABASE_URL, max: 8 });
await ensureAppSchema(pool);
const orchestrator = new Orchestrator({
  pool,
  openai: new OpenAI({ baseURL: settings.OPENAI_BASE_URL, apiKey: settings.OPENAI_API_KEY, maxRetries: 0 }),
  anthropic: new Anthropic({ baseURL: settings.ANTHROPIC_BASE_URL, apiKey: settings.ANTHROPIC_API_KEY, maxRetries: 1 }),
  models: { primary: settings.PRIMARY_MODEL, fallback: settings.FALLBACK_MODEL },
});
const server = createAppServer(orchestrator);
await new Promise<void>((resolve) => server.listen(settings.APP_PORT, '127.0.0.1', resolve));
const { port } = server.address() as import('node:net').AddressInfo;
process.stdout.write(
  `ai-app: listening on http://127.0.0.1:${port}/api/answer (models ${settings.PRIMARY_MODEL}, fallback ${settings.FALLBACK_MODEL})\n`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    // The spans of the last requests go out before the process ends.
    void pool
      .end()
      .then(shutdown)
      .finally(() => process.exit(0));
  });
}
