import { fileURLToPath } from 'node:url';
import { type ProcessRun, runProcess } from '../../../test/support/run-process.ts';

const bin = fileURLToPath(new URL('../bin/satfarm.mjs', import.meta.url));

export type CliRun = ProcessRun;

/** Runs the real `satfarm` entry in a child process, as a user would. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runProcess([bin, ...args], { env });
}

/** `satfarm train` of a small simple-cnn (16 px, 256 synthetic images, batches of 32) on wasm: seconds. */
export function smallTrainArgs(epochs: number): string[] {
  return [
    'train',
    '--arch',
    'simple-cnn',
    '--resolution',
    '16',
    '--dataset',
    'synthetic',
    '--limit',
    '256',
    '--epochs',
    String(epochs),
    '--batch-size',
    '32',
    '--learning-rate',
    '0.01',
    '--backend',
    'wasm',
  ];
}
