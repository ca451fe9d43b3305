// The vigil command as a user runs it: a real process, real exit codes, real Postgres.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { loadTraffic } from '../../alerts/test/support/traffic.ts';
import { type Run, VIGIL_BIN as bin, runVigil as vigil } from './support/run-vigil.ts';

/**
 * Starts a long-running command, waits for a line on stderr and then runMs more (or, with `done`,
 * until it says so, at most runMs), then stops it with SIGTERM.
 */
function runUntil(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  runMs = 0,
  done?: () => Promise<boolean>,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out waiting for ${ready}; stderr: ${stderr}`));
    }, 120_000 + runMs);
    child.stdout.on('data', (d) => (stdout += d));
    let signalled = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!signalled && ready.test(stderr)) {
        signalled = true;
        const deadline = Date.now() + runMs;
        const stopWhenDone = async (): Promise<void> => {
          if (Date.now() >= deadline || (done && (await done().catch(() => false)))) child.kill('SIGTERM');
          else setTimeout(stopWhenDone, done ? 500 : deadline - Date.now());
        };
        void stopWhenDone();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let db: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  db = await createTestDatabase();
  env = {
    DATABASE_URL: db.url,
    VIGIL_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'vigil-cli-')),
    VIGIL_DASHBOARD: 'off',
    VIGIL_COLLECTOR_HEALTH_PORT: '0',
    VIGIL_COLLECTOR_GRPC_PORT: '0',
  };
});
afterAll(async () => {
  await db.drop();
  rmSync(env.VIGIL_DATA_DIR!, { recursive: true, force: true });
});

describe('vigil CLI', () => {
  it('has --help for every command', async () => {
    const top = await vigil(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['up', 'migrate', 'collector', 'projects', 'keys', 'tokens', 'deploy', 'gate', 'reprice'])
      expect(top.stdout).toContain(command);
    for (const command of [
      ['keys', 'create'],
      ['keys', 'list'],
      ['keys', 'revoke'],
      ['keys', 'rotate'],
      ['audit'],
      ['projects', 'create'],
      ['up'],
      ['collector'],
      ['migrate'],
      ['tokens', 'create'],
      ['deploy', 'start'],
      ['deploy', 'rollback'],
      ['gate'],
      ['reprice'],
    ]) {
      const help = await vigil([...command, '--help']);
      expect(help.code, command.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/Usage: vigil/);
    }
  });

  it('explains a wrong flag, a bad config value and a bad DATABASE_URL in one line with a non-zero exit', async () => {
    const flag = await vigil(['keys', 'list', '--bogus']);
    expect(flag.code).not.toBe(0);
    expect(flag.stderr).toContain("unknown option '--bogus'");
    const port = await vigil(['collector'], { ...env, VIGIL_COLLECTOR_PORT: 'abc' });
    expect(port.code).toBe(1);
    expect(port.stderr.trim()).toMatch(/^vigil: invalid VIGIL_COLLECTOR_PORT: .*"abc"/);
    expect(port.stderr.trim().split('\n')).toHaveLength(1);
    const url = await vigil(['projects', 'list'], { DATABASE_URL: 'mysql://nope' });
    expect(url.code).toBe(1);
    expect(url.stderr).toContain('invalid DATABASE_URL');
  });

  it('never prints the database password', async () => {
    const run = await runUntil(['collector'], { ...env, VIGIL_COLLECTOR_PORT: '0' }, /collector: OTLP/);
    const password = new URL(db.url).password;
    expect(password.length).toBeGreaterThan(0);
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  it('creates projects and keys, lists keys by prefix only, rotates and revokes them', async () => {
    const project = await vigil(['projects', 'create', 'shop'], env);
    expect(project.code).toBe(0);
    const created = await vigil(['keys', 'create', '--project', 'shop', '--label', 'ci'], env);
    expect(created.code).toBe(0);
    const key = created.stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    const listed = await vigil(['keys', 'list', '--project', 'shop'], env);
    expect(listed.stdout).toContain(key.slice(0, 12));
    expect(listed.stdout).not.toContain(key);
    const id = listed.stdout.trim().split('\n').at(-1)!.split('\t')[0]!;
    const revoked = await vigil(['keys', 'revoke', id], env);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('revoked');
    // Rotation: a new key printed last, the old one listed as rotated until its grace ends.
    const second = await vigil(['keys', 'create', '--project', 'shop', '--expires', '90d'], env);
    expect(second.code).toBe(0);
    const secondId = (await vigil(['keys', 'list', '--project', 'shop'], env)).stdout
      .trim()
      .split('\n')
      .find((line) => line.includes('expiring'))!
      .split('\t')[0]!;
    const rotated = await vigil(['keys', 'rotate', secondId, '--grace', '2h'], env);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout.trim().split('\n').at(-1)).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    expect(rotated.stderr).toMatch(/it works until \d{4}-/);
    const states = (await vigil(['keys', 'list', '--project', 'shop'], env)).stdout;
    expect(states).toMatch(/\trevoked \d{4}-/);
    expect(states).toMatch(/\trotated \(replaced by [0-9a-f-]{36}\), works until it expires/);
    expect(states).toMatch(/\tactive\n?$/);
    // Every key change is in the audit log, with who made it from where.
    const trail = await vigil(['audit', '--project', 'shop', '--action', 'key.created,key.rotated,key.revoked'], env);
    expect(trail.code).toBe(0);
    const lines = trail.stdout.trim().split('\n').slice(1);
    // The rotation's new key is in its key.rotated event (after.newKeyId), not a key.created one.
    expect(lines.map((line) => line.split('\t')[1]).sort()).toEqual([
      'key.created',
      'key.created',
      'key.revoked',
      'key.rotated',
    ]);
    expect(lines.every((line) => /\tcli:[^\t]+@[^\t]+\tcli\t\*$/.test(line))).toBe(true);
    const badGrace = await vigil(['keys', 'rotate', secondId, '--grace', 'soon'], env);
    expect(badGrace.code).toBe(1);
    expect(badGrace.stderr.trim()).toBe('vigil: --grace "soon" is not a duration: write e.g. 30m, 24h, 90d');
    const missing = await vigil(['keys', 'create', '--project', 'nope'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('vigil: no project named "nope"');
    const duplicate = await vigil(['projects', 'create', 'shop'], env);
    expect(duplicate.stderr.trim()).toBe('vigil: project "shop" already exists');
  });

  it('signs API tokens for a project, one tenant or an admin, and explains bad options', async () => {
    await vigil(['projects', 'create', 'tokens-app'], env);
    const member = await vigil(
      ['tokens', 'create', '--project', 'tokens-app', '--tenant', 'acme', '--ttl', '30m'],
      env,
    );
    expect(member.code).toBe(0);
    const token = member.stdout.trim().split('\n').at(-1)!;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ role: 'authenticated', tenant_id: 'acme' });
    expect(claims.exp - claims.iat).toBe(1800);
    expect(statSync(path.join(env.VIGIL_DATA_DIR!, 'jwt-secret')).mode & 0o077).toBe(0);
    const admin = await vigil(['tokens', 'create', '--admin'], env);
    expect(JSON.parse(Buffer.from(admin.stdout.trim().split('.')[1]!, 'base64url').toString()).role).toBe(
      'service_role',
    );
    const noProject = await vigil(['tokens', 'create', '--tenant', 'acme'], env);
    expect(noProject.code).toBe(1);
    expect(noProject.stderr.trim()).toBe('vigil: --project <name> is required (or --admin)');
    const badTtl = await vigil(['tokens', 'create', '--project', 'tokens-app', '--ttl', 'forever'], env);
    expect(badTtl.stderr.trim()).toBe('vigil: ttl must look like 30m, 12h or 7d');
    // A role in the token's claims: operator unless told (what project tokens always could do).
    expect(claims.vigil_role).toBe('operator');
    const finance = await vigil(['tokens', 'create', '--project', 'tokens-app', '--role', 'finance'], env);
    const financeToken = finance.stdout.trim().split('\n').at(-1)!;
    expect(JSON.parse(Buffer.from(financeToken.split('.')[1]!, 'base64url').toString()).vigil_role).toBe('finance');
    const badRole = await vigil(['tokens', 'create', '--project', 'tokens-app', '--role', 'root'], env);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr.trim()).toBe('vigil: --role is one of viewer, finance, operator, admin');
  });

  it('adds, changes and removes Supabase users as members, each change in the audit log', async () => {
    await vigil(['projects', 'create', 'members-app'], env);
    const user = '0c7d2f4e-1111-4222-8333-444455556666';
    const add = ['members', 'add', '--project', 'members-app', '--user', user];
    expect((await vigil([...add, '--role', 'viewer', '--tenant', 'acme'], env)).stderr).toContain(
      `added member ${user} of "members-app": viewer, tenant acme only`,
    );
    expect((await vigil([...add, '--role', 'operator'], env)).stderr).toContain(`changed member ${user}`);
    const listed = await vigil(['members', 'list', '--project', 'members-app'], env);
    expect(listed.stdout).toMatch(new RegExp(`${user}\toperator\t\t`));
    expect((await vigil(['members', 'remove', '--project', 'members-app', '--user', user], env)).code).toBe(0);
    const again = await vigil(['members', 'remove', '--project', 'members-app', '--user', user], env);
    expect(again.stderr.trim()).toBe(`vigil: ${user} is not a member of "members-app"`);
    const badUser = await vigil(
      ['members', 'add', '--project', 'members-app', '--user', 'bob', '--role', 'viewer'],
      env,
    );
    expect(badUser.code).toBe(1);
    expect(badUser.stderr).toContain('a Supabase Auth user id (auth.users.id) is a UUID');
    const trail = (await vigil(['audit', '--project', 'members-app', '--json'], env)).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(trail.map((e) => [e.action, e.target, e.before, e.after])).toEqual([
      ['member.removed', user, { role: 'operator', tenant: null }, null],
      ['member.changed', user, { role: 'viewer', tenant: 'acme' }, { role: 'operator', tenant: null }],
      ['member.added', user, null, { role: 'viewer', tenant: 'acme' }],
    ]);
  });

  it('sets, shows and clears alerting overrides from a file, refusing bad ones, each change audited', async () => {
    await vigil(['projects', 'create', 'overrides-app'], env);
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-overrides-'));
    const good = path.join(dir, 'overrides.yaml');
    writeFileSync(
      good,
      ['slos:', '  - name: chat-latency', '    objective: 99.5', '    sli: { kind: latency, thresholdMs: 800 }'].join(
        '\n',
      ),
    );
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ slos: [{ name: 'x', objective: 100, sli: { kind: 'latency' } }] }));
    const project = ['--project', 'overrides-app'];
    expect((await vigil(['overrides', 'show', ...project], env)).stderr).toContain('has no overrides');
    expect((await vigil(['overrides', 'set', ...project, '--file', good], env)).stderr).toContain(
      'set the overrides of "overrides-app"',
    );
    const refused = await vigil(['overrides', 'set', ...project, '--file', bad], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/overrides: slos\[0\]\.objective/);
    const shown = JSON.parse((await vigil(['overrides', 'show', ...project], env)).stdout);
    expect(shown.slos[0]).toMatchObject({ name: 'chat-latency', objective: 99.5 });
    expect((await vigil(['overrides', 'clear', ...project], env)).stderr).toContain('cleared the overrides');
    const trail = (await vigil(['audit', ...project, '--json'], env)).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(trail.map((e) => [e.action, e.before === null, e.after === null])).toEqual([
      ['config.overrides_cleared', false, true],
      ['config.overrides_set', true, false],
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('up creates the default project and a key on first start only, and says where the key is', async () => {
    const first = await runUntil(['up'], { ...env, VIGIL_COLLECTOR_PORT: '0', VIGIL_API_PORT: '0' }, /query API:/);
    expect(first.code).toBe(0);
    const keyFile = path.join(env.VIGIL_DATA_DIR!, 'default-ingest-key');
    expect(first.stderr).toContain(keyFile);
    expect(first.stderr).toContain('stopped cleanly');
    // Said once: the collector it forks reaches the same database and does not announce it again.
    expect(first.stderr.match(/database: /g)).toHaveLength(1);
    expect(readFileSync(keyFile, 'utf8').trim()).toMatch(/^vgl_/);
    expect(statSync(keyFile).mode & 0o077).toBe(0);
    const second = await runUntil(['up'], { ...env, VIGIL_COLLECTOR_PORT: '0', VIGIL_API_PORT: '0' }, /query API:/);
    expect(second.stderr).not.toContain('created project');
    const { rows } = await db.pool.query(
      `select count(*)::int as n from ingest_keys k join projects p on p.id = k.project_id where p.name = 'default'`,
    );
    expect(rows[0].n).toBe(1);
  });
});

describe('vigil up on a database of its own', () => {
  it('creates the data directory when it does not exist yet, with DATABASE_URL set', async () => {
    const own = await createTestDatabase();
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-cli-')), 'not', 'there', 'yet');
    try {
      const up = await runUntil(
        ['up'],
        { ...env, DATABASE_URL: own.url, VIGIL_DATA_DIR: dataDir, VIGIL_COLLECTOR_PORT: '0', VIGIL_API_PORT: '0' },
        /query API:/,
      );
      expect(up.code).toBe(0);
      expect(readFileSync(path.join(dataDir, 'default-ingest-key'), 'utf8').trim()).toMatch(/^vgl_/);
    } finally {
      await own.drop();
    }
  });
});

describe('vigil deploy and vigil gate', () => {
  it("re-prices a project's days with the current catalog, once: a second run changes nothing", async () => {
    const created = await vigil(['projects', 'create', 'repriced'], env);
    expect(created.code).toBe(0);
    const projectId = created.stdout.trim();
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000;
    const date = new Date(day).toISOString().slice(0, 10);
    // Stored at a made-up cost per call, not the catalog's price for their tokens.
    await loadTraffic(db.pool, { projectId, fromMs: day + 3_600_000, toMs: day + 7_200_000, count: 50, costUsd: 0.5 });
    const first = await vigil(['reprice', '--project', 'repriced', '--from', date, '--to', date], env);
    expect(first.code, first.stderr).toBe(0);
    const [header, row] = first.stdout.trim().split('\n');
    expect(header).toBe('day\tcalls\tchanged\tbefore usd\tafter usd');
    const [rowDay, calls, changed, , after] = row!.split('\t');
    expect([rowDay, calls, changed]).toEqual([date, '50', '50']);
    // gpt-4o-mini, 100 input and 20 output tokens: 50 × (100 × 0.15 + 20 × 0.60) / 1e6.
    expect(Number(after)).toBeCloseTo((50 * (100 * 0.15 + 20 * 0.6)) / 1e6, 6);
    expect(first.stderr).toMatch(/re-pricing "repriced" with @pydantic\/genai-prices@/);
    const second = await vigil(['reprice', '--project', 'repriced', '--from', date, '--to', date], env);
    expect(second.stdout.trim().split('\n')[1]!.split('\t').slice(0, 3)).toEqual([date, '50', '0']);
    const bad = await vigil(['reprice', '--project', 'repriced', '--from', '2026-13-40', '--to', date], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('vigil: not a calendar date');
    const backwards = await vigil(['reprice', '--project', 'repriced', '--from', date, '--to', '2020-01-01'], env);
    expect(backwards.stderr.trim()).toBe('vigil: --from must be on or before --to');
  });

  it('records a canary and exits 0 to promote, 1 to roll back, 2 when it cannot tell yet, 3 when it cannot judge', async () => {
    await vigil(['projects', 'create', 'gated'], env);
    const { rows } = await db.pool.query(`select id from projects where name = 'gated'`);
    const projectId = rows[0].id;
    const now = Date.now();
    await loadTraffic(db.pool, {
      projectId,
      fromMs: now - 100_000,
      toMs: now - 1000,
      count: 300,
      deployment: 'v41',
      seed: 11,
    });
    await loadTraffic(db.pool, {
      projectId,
      fromMs: now - 100_000,
      toMs: now - 1000,
      count: 150,
      deployment: 'v42',
      latencyMs: 2000,
      errorRate: 0.2,
      seed: 12,
    });
    await loadTraffic(db.pool, {
      projectId,
      fromMs: now - 100_000,
      toMs: now - 1000,
      count: 150,
      deployment: 'v43',
      seed: 13,
    });
    await loadTraffic(db.pool, {
      projectId,
      fromMs: now - 100_000,
      toMs: now - 1000,
      count: 10,
      deployment: 'v44',
      seed: 14,
    });
    for (const canary of ['v42', 'v43', 'v44']) {
      const started = await vigil(
        ['deploy', 'start', '--deployment', canary, '--baseline', 'v41', '--weight', '5', '--project', 'gated'],
        env,
      );
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout.trim()).toBe(`deployment ${canary} running against baseline v41 at 5%`);
    }
    const bad = await vigil(['gate', '--deployment', 'v42', '--project', 'gated'], env);
    expect(bad.stdout).toMatch(/^FAIL \(score 0\): v42 vs v41: critical: errors/);
    expect(bad.code).toBe(1);
    const good = await vigil(['gate', '--deployment', 'v43', '--project', 'gated', '--json'], env);
    expect(JSON.parse(good.stdout)).toMatchObject({ verdict: 'pass', baseline: 'v41' });
    expect(good.code).toBe(0);
    const thin = await vigil(['gate', '--deployment', 'v44', '--project', 'gated'], env);
    expect(thin.stdout).toMatch(/^INCONCLUSIVE/);
    expect(thin.code).toBe(2);
    const unknown = await vigil(['gate', '--deployment', 'v99', '--project', 'gated'], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no deployment "v99" in project gated');
    const weight = await vigil(
      ['deploy', 'start', '--deployment', 'v45', '--weight', '500', '--project', 'gated'],
      env,
    );
    expect(weight.code).toBe(1);
    expect(weight.stderr).toContain('--weight must be a percentage between 0 and 100');
  });
});

// The first start sends the demo's past week through the collector and replays its incident before
// the apps start: on a busy machine that is up to a minute more.
describe('vigil up --demo', () => {
  it('runs the example app in two deployments with traffic that arrives tagged by tenant', async () => {
    const run = await runUntil(
      ['up', '--demo'],
      { ...env, VIGIL_COLLECTOR_PORT: '0', VIGIL_API_PORT: '0' },
      /demo: example app/,
      15_000,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('stopped cleanly');
    const { rows } = await db.pool.query(
      `select s.deployment, count(*)::int as spans, count(*) filter (where s.category = 'model')::int as model_calls,
              count(distinct s.tenant_id) filter (where s.category = 'model')::int as tenants,
              count(*) filter (where s.category = 'model' and s.tenant_id not like 'tenant-%')::int as untagged_model_calls
         from spans s join projects p on p.id = s.project_id
        where p.name = 'demo' and s.start_time > now() - interval '1 hour' group by 1 order by 1`,
    );
    // The last hour: the live apps (the past week before it came through the collector too).
    expect(run.stderr).toMatch(/demo: sent the past 7 days through the collector \(\d+ spans/);
    expect(rows.map((r) => r.deployment)).toEqual(['v1', 'v2-canary']);
    const v1 = rows[0];
    expect(v1.model_calls).toBeGreaterThan(5);
    expect(v1.tenants).toBeGreaterThan(2);
    expect(rows.every((r) => r.untagged_model_calls === 0)).toBe(true);
  }, 180_000);

  it('with --incident, moves the canary to a slow, costly model while v1 stays as it was', async () => {
    // What a new user watches: soon after the traffic starts, the judge fails the canary, the
    // engine rolls it back, and the Slack stand-in has the message. Given two minutes, not timed:
    // here it took about one.
    const chain = async () =>
      (
        await db.pool.query(
          `select d.state, d.ended_at, (select count(*)::int from alert_notifications n
                    where n.project_id = d.project_id and n.kind = 'rollback' and n.status = 'sent'
                      and n.target = 'VIGIL_DEMO_SLACK_URL' and n.created_at >= d.started_at) as slack
             from deployments d join projects p on p.id = d.project_id where p.name = 'demo' and d.name = 'v2-canary'`,
        )
      ).rows[0] as { state: string; slack: number } | undefined;
    const run = await runUntil(
      ['up', '--demo', '--incident'],
      { ...env, VIGIL_COLLECTOR_PORT: '0', VIGIL_API_PORT: '0' },
      /incident: v2-canary/,
      120_000,
      async () => {
        const c = await chain();
        return c?.state === 'rolled_back' && c.slack > 0;
      },
    );
    expect(run.code).toBe(0);
    expect(await chain()).toMatchObject({ state: 'rolled_back', slack: 1 });
    const { rows } = await db.pool.query(
      `select s.deployment, s.model, count(*)::int as calls, min(s.ttft_ms)::float8 as min_ttft_ms,
              avg(s.cost_usd)::float8 as cost_per_call
         from spans s join projects p on p.id = s.project_id
        where p.name = 'demo' and s.category = 'model' and s.model in ('gpt-4o', 'gpt-4o-mini') and s.status = 'ok'
        group by 1, 2 order by 1, 2`,
    );
    const canary = rows.find((r) => r.deployment === 'v2-canary' && r.model === 'gpt-4o');
    const v1 = rows.find((r) => r.deployment === 'v1' && r.model === 'gpt-4o-mini');
    expect(canary, JSON.stringify(rows)).toBeDefined();
    expect(rows.some((r) => r.deployment === 'v1' && r.model === 'gpt-4o')).toBe(false);
    expect(canary.min_ttft_ms).toBeGreaterThanOrEqual(2600);
    expect(canary.cost_per_call).toBeGreaterThan(10 * v1.cost_per_call);
    // The demo records v2-canary as a canary of v1, and the alert engine judges it every tick.
    const { rows: deployments } = await db.pool.query(
      `select d.name, d.baseline, d.verdict, (select count(*)::int from canary_judgements j where j.deployment_id = d.id) as judgements
         from deployments d join projects p on p.id = d.project_id where p.name = 'demo' and d.name = 'v2-canary'`,
    );
    expect(deployments[0]).toMatchObject({ baseline: 'v1', verdict: 'fail' });
    expect(deployments[0].judgements).toBeGreaterThan(0);
  }, 300_000);

  it('refuses --incident without --demo', async () => {
    const run = await vigil(['up', '--incident'], env);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('vigil: --incident needs --demo');
  });
});

describe('vigil up with the embedded database', () => {
  it('starts a real Postgres under the data directory, keeps its data across restarts and stops it cleanly', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-embedded-'));
    const embeddedEnv = {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_PG_PORT: '54335',
      VIGIL_COLLECTOR_PORT: '0',
      VIGIL_API_PORT: '0',
      DATABASE_URL: '',
      VIGIL_DASHBOARD: 'off',
    };
    try {
      const first = await runUntil(['up'], embeddedEnv, /query API:/);
      expect(first.code).toBe(0);
      expect(first.stderr).toContain('embedded Postgres');
      expect(first.stderr).toContain('created project "default"');
      const pid = path.join(dataDir, 'pg', 'postmaster.pid');
      expect(() => statSync(pid)).toThrow(); // stopped cleanly: no postmaster.pid left behind
      const second = await runUntil(['up'], embeddedEnv, /query API:/);
      expect(second.code).toBe(0);
      expect(second.stderr).toContain('projects: default');
      // The key vigil up created is in the audit log, by whoever ran it.
      const trail = await vigil(['audit', '--project', 'default'], embeddedEnv);
      expect(trail.stdout).toMatch(/\tkey\.created\t[0-9a-f-]{36}\tcli:[^\t]+\tcli\t\*/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
