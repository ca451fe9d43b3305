// The alerting config: defaults filled in, and every mistake reported with its file and field.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError, findConfigFile, loadAlertsConfig, parseAlertsConfig } from '../src/config/load.ts';

describe('alerting config', () => {
  it('fills in the defaults: Workbook windows unless given, 10 s evaluation, canary thresholds', () => {
    const config = parseAlertsConfig({
      slos: [
        {
          name: 'chat-latency',
          objective: 99.5,
          selector: { service: 'chat-api' },
          sli: { kind: 'latency', thresholdMs: 800 },
        },
      ],
    });
    expect(config.slos[0]).toMatchObject({
      project: 'default',
      period: 30 * 86_400_000,
      minEvents: 20,
      selector: { service: ['chat-api'] },
    });
    expect(config.engine).toMatchObject({
      schedule: '*/10 * * * * *',
      repeatInterval: 4 * 3_600_000,
      noData: 'nodata',
    });
    expect(config.canary).toMatchObject({ minSamples: 50, confidence: 0.98, passScore: 95, marginalScore: 75 });
    expect(config.canary.metrics.errors).toMatchObject({ critical: true, criticalIncrease: 0.1 });
  });

  it('names the file and every bad field', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-config-'));
    writeFileSync(
      path.join(dir, 'vigil.config.yaml'),
      [
        'alerts:',
        '  slos:',
        '    - name: Chat Latency',
        '      objective: 100',
        '      period: 30 days',
        '      sli: { kind: latency }',
        '  slack:',
        '    - webhookUrlEnv: https://hooks.slack.com/x',
        '  webhooks:',
        '    - { name: pager, urlEnv: https://events.pagerduty.com/x, maxAlerts: -1 }',
      ].join('\n'),
    );
    const file = findConfigFile(dir)!;
    const error = await loadAlertsConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^vigil\.config\.yaml: slos\[0\]\.name: use lowercase/),
        expect.stringMatching(/^vigil\.config\.yaml: slos\[0\]\.objective: .*100/),
        expect.stringMatching(/^vigil\.config\.yaml: slos\[0\]\.period: "30 days" is not a duration/),
        expect.stringMatching(/^vigil\.config\.yaml: slos\[0\]\.sli\.thresholdMs: /),
        expect.stringMatching(/^vigil\.config\.yaml: slack\[0\]\.webhookUrlEnv: name an environment variable/),
        expect.stringMatching(/^vigil\.config\.yaml: webhooks\[0\]\.urlEnv: name an environment variable/),
        expect.stringMatching(/^vigil\.config\.yaml: webhooks\[0\]\.maxAlerts: /),
      ]),
    );
  });

  it('reads a vigil.config.ts default export, and refuses a name used twice', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-config-'));
    writeFileSync(
      path.join(dir, 'vigil.config.ts'),
      `export default { alerts: { rules: [{ name: 'feed-p95', metric: 'latency_p95', threshold: 300, for: '5m', selector: { surface: '/feed' } }] } };\n`,
    );
    const config = await loadAlertsConfig(findConfigFile(dir)!);
    expect(config.rules[0]).toMatchObject({
      name: 'feed-p95',
      for: 300_000,
      window: 300_000,
      op: '>',
      severity: 'ticket',
    });
    expect(() =>
      parseAlertsConfig({
        rules: [
          { name: 'x', metric: 'error_ratio', threshold: 0.1 },
          { name: 'x', metric: 'requests', threshold: 1 },
        ],
      }),
    ).toThrow(/rules\[1\]\.name: "x" is used twice/);
  });

  it('accepts the example in the README as written', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const example = /## Alerts, canaries and rollback[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const config = parseAlertsConfig((parseYaml(example) as { alerts: unknown }).alerts, 'README.md');
    // The three SLOs written out, then the time budgets' own.
    expect(config.slos.map((s) => s.name)).toEqual([
      'chat-latency',
      'chat-errors',
      'answer-cache',
      'budget.surface.feed',
      'budget.surface.search',
      'budget.surface.generate',
      'budget.db',
      'budget.cache',
      'budget.model',
    ]);
    expect(config.rules.map((r) => r.metric)).toEqual(['latency_p95', 'cost_coverage', 'cache_hit_ratio']);
    expect(config.rollbackHooks.map((h) => h.type)).toEqual(['webhook', 'github', 'flag']);
    expect(config.promoteHooks).toMatchObject([{ type: 'flag', name: 'weights', method: 'PUT' }]);
    expect(config.canary.rollout).toEqual({ minStepTime: 600_000, maxHold: 3_600_000 });
    expect(config.webhooks).toEqual([
      { name: 'pager', urlEnv: 'PAGER_WEBHOOK_URL', severities: ['page'], sendResolved: true, maxAlerts: 0 },
    ]);
  });
});

describe('per-project overrides from the database', () => {
  it('replace file entries of the same name in that project, add new ones, and skip an invalid row with its reason', async () => {
    const { createTestDatabase } = await import('@vigil/testing');
    const { createProject } = await import('@vigil/core');
    const { withProjectOverrides } = await import('../src/config/effective.ts');
    const db = await createTestDatabase();
    try {
      const shop = (await createProject(db.pool, 'shop')).id;
      const broken = (await createProject(db.pool, 'broken')).id;
      const base = parseAlertsConfig({
        slos: [
          { name: 'chat-latency', project: 'shop', objective: 99, sli: { kind: 'latency', thresholdMs: 800 } },
          { name: 'chat-latency', project: 'other', objective: 99, sli: { kind: 'latency', thresholdMs: 800 } },
        ],
      });
      await db.pool.query(`insert into alert_configs (project_id, config) values ($1, $2), ($3, $4)`, [
        shop,
        {
          slos: [{ name: 'chat-latency', objective: 99.5, sli: { kind: 'latency', thresholdMs: 1200 } }],
          rules: [{ name: 'cost', metric: 'cost_per_request', threshold: 0.05 }],
          slack: [{ webhookUrlEnv: 'SHOP_SLACK_URL', severities: ['page'] }],
        },
        broken,
        { slos: [{ name: 'x', objective: 150, sli: { kind: 'errors' } }] },
      ]);
      const logged: string[] = [];
      const merged = await withProjectOverrides(db.pool, base, (m) => logged.push(m));
      expect(merged.slos.map((s) => [s.project, s.name, s.objective])).toEqual([
        ['shop', 'chat-latency', 99.5],
        ['other', 'chat-latency', 99],
      ]);
      expect(merged.rules).toMatchObject([{ project: 'shop', name: 'cost', window: 300_000 }]);
      // A project's own Slack route: for that project only, its URL still in the environment.
      expect(merged.slack).toEqual([{ project: 'shop', webhookUrlEnv: 'SHOP_SLACK_URL', severities: ['page'] }]);
      expect(logged.join('\n')).toMatch(/alert_configs\[broken\]: slos\[0\]\.objective/);
    } finally {
      await db.drop();
    }
  });
});
