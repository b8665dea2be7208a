import { fileURLToPath } from 'node:url';
import { type ProcessRun, runProcess } from '../../../test/support/run-process.ts';

const bin = fileURLToPath(new URL('../bin/satfarm.mjs', import.meta.url));

export type CliRun = ProcessRun;

/** Runs the real `satfarm` entry in a child process, as a user would. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runProcess([bin, ...args], { env });
}
