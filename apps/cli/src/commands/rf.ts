import { ArchitectureName, ARCHITECTURES } from '@satfarm/contracts';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { table } from '../format.ts';
import { integerFlag, numberFlag } from '../numbers.ts';

interface RfFlags {
  arch: string;
  resolution: number;
  widthMultiplier: number;
  depth?: number;
  kernelSize?: number;
  channels: number;
  json?: boolean;
}

export function registerRf(program: Command): void {
  program
    .command('rf')
    .description('receptive field of every layer and the layers predicted unproductive (no training)')
    .requiredOption('--arch <name>', `architecture (${ARCHITECTURES.join(', ')})`)
    .requiredOption('--resolution <px>', 'input resolution', integerFlag('--resolution'))
    .option('--width-multiplier <f>', 'scales every layer width', numberFlag('--width-multiplier'), 1)
    .option('--depth <n>', 'conv layers (simple-cnn)', integerFlag('--depth'))
    .option('--kernel-size <n>', 'conv kernel size (simple-cnn)', integerFlag('--kernel-size'))
    .option('--channels <n>', 'input channels', integerFlag('--channels'), 1)
    .option('--json', 'print JSON')
    .action(async (flags: RfFlags) => {
      const { analyzeReceptiveFields, describeArchitecture } = await import('@satfarm/models');
      const arch = ArchitectureName.safeParse(flags.arch);
      if (!arch.success) {
        throw new UsageError(
          `--arch: got ${JSON.stringify(flags.arch)}; expected one of ${ARCHITECTURES.join(', ')}`,
        );
      }
      const graph = describeArchitecture(arch.data, {
        resolution: flags.resolution,
        channels: flags.channels,
        classes: 10,
        widthMultiplier: flags.widthMultiplier,
        depth: flags.depth,
        kernelSize: flags.kernelSize,
      });
      const layers = analyzeReceptiveFields(graph).map((l) => ({
        name: l.name,
        kind: l.kind,
        receptiveField: l.receptiveField,
        unproductive: l.unproductive,
        prediction: l.prediction,
      }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ layers })}\n`);
        return;
      }
      process.stdout.write(
        `${table(
          ['layer', 'kind', 'receptive field', 'prediction'],
          layers.map((l) => [l.name, l.kind, l.receptiveField, l.prediction]),
        )}\n`,
      );
    });
}
