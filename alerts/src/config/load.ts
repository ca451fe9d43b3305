// Reads the alerting config from vigil.config.yaml, .yml, .json or .ts (a default export), and
// explains problems by file and field: `vigil.config.yaml: slos[0].objective: must be < 100`.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
import { type AlertsConfig, alertsConfigSchema } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const CANDIDATES = ['vigil.config.ts', 'vigil.config.yaml', 'vigil.config.yml', 'vigil.config.json'];

/** The config file in dir, if there is one. */
export function findConfigFile(dir: string): string | null {
  for (const candidate of CANDIDATES) {
    // Looked up at run time in the working directory: nothing for a bundler to trace.
    const file = path.join(/*turbopackIgnore: true*/ dir, candidate);
    if (existsSync(/*turbopackIgnore: true*/ file)) return file;
  }
  return null;
}

export function describeIssues(source: string, error: ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
        .join('')
        .replace(/^\./, '');
      return `${source}: ${where || '(top level)'}: ${issue.message}`;
    })
    .join('\n');
}

/** Validates a config object; throws ConfigError naming every bad field. */
export function parseAlertsConfig(input: unknown, source = 'config'): AlertsConfig {
  const result = alertsConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(describeIssues(source, result.error));
  return result.data;
}

export async function loadAlertsConfig(file: string): Promise<AlertsConfig> {
  const source = path.basename(file);
  let raw: unknown;
  try {
    if (file.endsWith('.ts') || file.endsWith('.js') || file.endsWith('.mjs')) {
      const module = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: unknown };
      raw = module.default;
      // A vigil.config.ts may hold more than alerting; the alerting part sits under `alerts`.
      if (raw && typeof raw === 'object' && 'alerts' in raw) raw = (raw as { alerts: unknown }).alerts;
    } else {
      const text = readFileSync(file, 'utf8');
      raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      if (raw && typeof raw === 'object' && 'alerts' in raw) raw = (raw as { alerts: unknown }).alerts;
    }
  } catch (error) {
    throw new ConfigError(`${source}: cannot be read: ${(error as Error).message}`);
  }
  return parseAlertsConfig(raw, source);
}
