import { Command, CommanderError } from 'commander';
import { registerAnalyze } from './commands/analyze.ts';
import { registerDashboard } from './commands/dashboard.ts';
import { registerDb } from './commands/db.ts';
import { registerDemo } from './commands/demo.ts';
import { registerPlot } from './commands/plot.ts';
import { registerReport } from './commands/report.ts';
import { registerResults } from './commands/results.ts';
import { registerRf } from './commands/rf.ts';
import { registerSearchSignal } from './commands/search-signal.ts';
import { registerServices } from './commands/services.ts';
import { registerSql } from './commands/sql.ts';
import { registerSweep } from './commands/sweep.ts';
import { registerTrain } from './commands/train.ts';
import { readEnv, type SatfarmEnv } from './env.ts';
import { UsageError } from './errors.ts';
import { printable } from './format.ts';

const program = new Command('satfarm')
  .description('layer-saturation training farm: which layers do work, and at what input resolution to train')
  .showHelpAfterError(false)
  .exitOverride();

let env: SatfarmEnv | undefined;
const getEnv = (): SatfarmEnv => {
  env ??= readEnv();
  return env;
};

registerTrain(program, getEnv);
registerAnalyze(program);
registerRf(program);
registerDb(program, getEnv);
registerResults(program, getEnv);
registerReport(program, getEnv);
registerSql(program, getEnv);
registerSweep(program, getEnv);
registerServices(program, getEnv);
registerDemo(program, getEnv);
registerPlot(program, getEnv);
registerDashboard(program, getEnv);
registerSearchSignal(program, getEnv);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}

/** One line on stderr that names what is wrong; exit 2 for usage mistakes, 1 for everything else. */
function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its message (help, version, unknown option…).
    return error.exitCode === 0 ? 0 : 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  // Messages quote names, ids and paths from users and the database: escape their control characters
  // (line by line, so a multi-line message keeps one `satfarm:` prefix per line).
  process.stderr.write(`satfarm: ${message.split('\n').map(printable).join('\nsatfarm: ')}\n`);
  return error instanceof UsageError ||
    (error instanceof Error && error.name.endsWith('ResolutionTooSmallError'))
    ? 2
    : 1;
}
