import type { Command } from 'commander';
import { info } from '../output.ts';
import { loadConfig, resolveJwtSecret } from '@vigil/core';
import { startDashboard } from '../dashboard.ts';
import { prepareDemo, startDemo } from '../demo.ts';
import {
  ensureDefaultProject,
  openServiceDatabase,
  shutdownSignal,
  startAlertsService,
  startApiService,
  parentGone,
  startCollectorService,
  startSupervisedCollectorService,
  stopOnSignal,
} from '../services.ts';

export function registerServeCommands(program: Command): void {
  program
    .command('up')
    .description('start Vigil: database (embedded unless DATABASE_URL is set), migrations, collector, query API')
    .option(
      '--demo',
      'also run the example AI app (two deployments) against fake model providers, with steady traffic into project "demo"',
    )
    .option('--incident', 'with --demo: the v2-canary deployment turns slow and expensive')
    .action(async (options: { demo?: boolean; incident?: boolean }) => {
      if (options.incident && !options.demo) throw new Error('--incident needs --demo');
      const config = loadConfig();
      const signal = shutdownSignal();
      const db = await openServiceDatabase(config);
      try {
        await ensureDefaultProject(db, config);
        const collector = await startSupervisedCollectorService(db, config);
        const prepared = options.demo ? await prepareDemo(db, config, collector.url) : null;
        const alerts = await startAlertsService(db, config);
        const api = await startApiService(db, config, alerts);
        const dashboard =
          config.VIGIL_DASHBOARD === 'on'
            ? await startDashboard({
                databaseUrl: db.url,
                jwtSecret: (await resolveJwtSecret(config)).secret,
                apiUrl: api.url,
                host: config.VIGIL_API_HOST,
                port: config.VIGIL_DASHBOARD_PORT,
                configFile: alerts.source.configFile,
              })
            : null;
        if (dashboard) info(`dashboard: ${dashboard.url} (sign in with the link from "vigil token --project default")`);
        const demo = prepared
          ? await startDemo(db, collector.url, prepared.key, { incident: options.incident === true })
          : null;
        await stopOnSignal(signal, async () => {
          await demo?.close();
          await prepared?.slack.close();
          await dashboard?.close();
          await alerts.close();
          await api.close();
          await collector.close();
        });
      } finally {
        await db.close();
      }
    });

  program
    .command('collector')
    .description('run the OTLP collector alone')
    .action(async () => {
      const config = loadConfig();
      // Under `vigil up` the parent's going away is a stop signal too: a collector never outlives it.
      const signal = Promise.race([shutdownSignal(), parentGone()]);
      const db = await openServiceDatabase(config, { announce: process.send === undefined });
      try {
        const collector = await startCollectorService(db, config);
        process.send?.({ type: 'ready', url: collector.url });
        await stopOnSignal(signal, () => collector.close());
      } finally {
        await db.close();
        // An open IPC channel keeps a forked process alive: close it so the supervisor sees the exit.
        if (process.connected) process.disconnect();
      }
    });
}
