// `vigil reprice`: applies the current catalog and the project's own prices to stored history.

import { DAY_MS, getProject, loadPriceCatalog, recordAudit, repriceDays } from '@vigil/core';
import type { Command } from 'commander';
import { z } from 'zod';
import { cliAudit, withDatabase } from '../context.ts';
import { info, result } from '../output.ts';

const utcDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD (UTC)')
  .transform((value) => Date.parse(`${value}T00:00:00Z`))
  .refine((ms) => Number.isFinite(ms), 'not a calendar date');

const optionsSchema = z
  .object({
    project: z.string().min(1),
    from: utcDate,
    to: utcDate,
    model: z.string().min(1).optional(),
  })
  .refine((o) => o.from <= o.to, '--from must be on or before --to');

export function registerRepriceCommand(program: Command): void {
  program
    .command('reprice')
    .description(
      'apply the current price catalog and the project’s own prices to stored calls, one day per transaction; safe to run twice',
    )
    .requiredOption('--project <name>', 'project to re-price')
    .requiredOption('--from <date>', 'first UTC day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last UTC day, YYYY-MM-DD (included)')
    .option('--model <model>', 'only calls of this model (as spans report it)')
    .action(async (raw: Record<string, string>) => {
      const options = optionsSchema.parse(raw);
      await withDatabase(async (db) => {
        const project = await getProject(db.pool, options.project);
        const catalog = await loadPriceCatalog(db.pool, project.id);
        info(`re-pricing "${project.name}" with ${catalog.label}`);
        result(['day', 'calls', 'changed', 'before usd', 'after usd'].join('\t'));
        let before = 0;
        let after = 0;
        await repriceDays(
          db.pool,
          {
            projectId: project.id,
            fromMs: options.from,
            toMs: options.to + DAY_MS,
            catalog,
            ...(options.model ? { model: options.model } : {}),
          },
          (day) => {
            before += day.beforeUsd;
            after += day.afterUsd;
            result([day.day, day.calls, day.changed, day.beforeUsd.toFixed(6), day.afterUsd.toFixed(6)].join('\t'));
          },
        );
        await recordAudit(db.pool, {
          ...cliAudit(),
          projectId: project.id,
          action: 'reprice.run',
          target: `${raw.from}..${raw.to}${options.model ? ` ${options.model}` : ''}`,
          before: { costUsd: before },
          after: { costUsd: after, catalog: catalog.label },
        });
        info(`total ${before.toFixed(6)} → ${after.toFixed(6)} USD; rollups rebuilt, pricing_days updated`);
      });
    });
}
