// The vigil command as a user runs it: a real process, its exit code and its output.

import { spawn } from 'node:child_process';
import path from 'node:path';

export const VIGIL_BIN = path.resolve(import.meta.dirname, '../../bin/vigil.mjs');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runVigil(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VIGIL_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
