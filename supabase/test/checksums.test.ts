// Migrations are append-only once recorded: the migrator records versions, so a recorded file
// edited later would silently never apply to a database that already has it.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = path.join(import.meta.dirname, '../migrations');
const sha256 = (file: string) =>
  createHash('sha256')
    .update(readFileSync(path.join(dir, file)))
    .digest('hex');

function recorded(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync(path.join(dir, 'CHECKSUMS'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const match = /^([0-9a-f]{64}) {2}(\S+\.sql)$/.exec(line);
    if (!match) throw new Error(`CHECKSUMS: not "<sha256>  <file>": ${line}`);
    entries.set(match[2]!, match[1]!);
  }
  return entries;
}

const migrationFiles = () =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort();

describe('migrations', () => {
  it('leave every file recorded in CHECKSUMS exactly as it was recorded', () => {
    for (const [file, hash] of recorded()) {
      expect(migrationFiles(), `${file} is recorded in CHECKSUMS but was removed`).toContain(file);
      expect(sha256(file), `${file} changed after it was recorded: add a new migration instead`).toBe(hash);
    }
  });

  it('record every migration file, and add new ones only after the last recorded one', () => {
    const known = recorded();
    const files = migrationFiles();
    for (const file of files) expect([...known.keys()], `record ${file} in CHECKSUMS (sha256sum)`).toContain(file);
    expect([...known.keys()].sort()).toEqual([...known.keys()]);
    expect(files).toEqual([...known.keys()]);
  });
});
