// `vigil`: the command line. Every command has --help; every failure is one line on stderr and a
// non-zero exit code.

import { Command, CommanderError } from 'commander';
import { registerAuditCommand } from './commands/audit.ts';
import { registerCheckCommands } from './commands/check.ts';
import { registerDeployCommands } from './commands/deploy.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerMemberCommands } from './commands/members.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerOverrideCommands } from './commands/overrides.ts';
import { registerProjectCommands } from './commands/projects.ts';
import { registerRepriceCommand } from './commands/reprice.ts';
import { registerServeCommands } from './commands/serve.ts';
import { registerTokenCommands } from './commands/tokens.ts';
import { fail } from './output.ts';

const program = new Command('vigil')
  .description('Vigil: SLO and cost control for AI applications')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ writeErr: (text) => process.stderr.write(text.startsWith('error:') ? `vigil: ${text}` : text) })
  .exitOverride();

registerServeCommands(program);
registerMigrateCommand(program);
registerProjectCommands(program);
registerKeyCommands(program);
registerMemberCommands(program);
registerOverrideCommands(program);
registerTokenCommands(program);
registerDeployCommands(program);
registerRepriceCommand(program);
registerCheckCommands(program);
registerAuditCommand(program);

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'ZodError') {
      const issue = (error as unknown as { issues: { message: string }[] }).issues[0];
      return issue?.message ?? error.message;
    }
    return error.message.split('\n')[0]!;
  }
  return String(error);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  fail(messageOf(error));
}
