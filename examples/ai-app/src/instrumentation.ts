// Loaded first (node --import ./src/instrumentation.ts src/main.ts), before the app imports pg or
// the model clients, so that everything it loads is instrumented. Settings come from VIGIL_* and
// OTEL_* environment variables.

import { init } from '@vigil/sdk';

await init({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'ai-app' });
