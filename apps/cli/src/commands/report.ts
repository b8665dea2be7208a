import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { loadSweepPlot, loadTrialPlot } from '@satfarm/plot-data';
import {
  findSweep,
  projectionResults,
  projectionSummary,
  reportEpochs,
  reportLayers,
  reportProjections,
  reportTrialTimes,
  sweepResults,
} from '@satfarm/db';
import { architectureOptionsOf, DATASET_INPUT_SHAPES, describeArchitecture } from '@satfarm/models';
import { layerSaturationSvg, projectionSvg, sweepSvg } from '@satfarm/plots';
import { type CostEstimateInput, forwardMacs, renderReport } from '@satfarm/report';
import { recommendResolution } from '@satfarm/scheduler';
import { expandSweep, type SweepSpec, sweepIdFor, type TrialConfig, variantOf } from '@satfarm/contracts';
import { makeDirectory } from '@satfarm/data';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { withPool } from '../database.ts';
import type { SatfarmEnv } from '../env.ts';
import { UsageError } from '../errors.ts';
import { printable } from '../format.ts';
import { readSpecFile } from '../spec-file.ts';

interface ReportFlags {
  out: string;
  notes?: string;
  spec?: string;
  estimate?: string;
}

/** Images in each split when a spec sets no limit (the whole dataset). */
const FULL_SPLITS: Partial<Record<TrialConfig['dataset']['name'], { train: number; test: number }>> = {
  'fashion-mnist': { train: 60_000, test: 10_000 },
  cifar10: { train: 50_000, test: 10_000 },
};

function splitsOf(spec: SweepSpec): { train: number; test: number } | undefined {
  const full = FULL_SPLITS[spec.dataset.name];
  const train = spec.dataset.trainLimit ?? full?.train;
  const test = spec.dataset.testLimit ?? full?.test;
  return train === undefined || test === undefined ? undefined : { train, test };
}

/** Forward MACs per image and the projection test's passes per trial, of one trial config. */
function workOf(config: TrialConfig): { macsPerImage: number; projectionPasses: number } {
  const graph = describeArchitecture(config.architecture, architectureOptionsOf(config));
  const projection = config.projection;
  const classifier = graph.layers.at(-1)?.name;
  const projected = graph.layers.filter(
    (l) => l.tracked && (projection?.includeClassifier === true || l.name !== classifier),
  ).length;
  return {
    macsPerImage: forwardMacs(graph.layers, DATASET_INPUT_SHAPES[config.dataset.name].channels),
    projectionPasses:
      projection === undefined
        ? 0
        : projection.deltas.length *
          (1 + (projection.perLayer ? projected : 0)) *
          (1 + projection.randomDraws),
  };
}

/** The cells of a spec (one per architecture, variant and resolution) with their work, for the cost estimate. */
function estimateOf(file: string, spec: SweepSpec): CostEstimateInput {
  const splits = splitsOf(spec);
  if (splits === undefined) {
    throw new UsageError(
      `--estimate: ${file} uses ${spec.dataset.name} without trainLimit and testLimit; give both`,
    );
  }
  const cells = new Map<string, CostEstimateInput['cells'][number]>();
  for (const config of expandSweep(spec)) {
    const variant = variantOf(config);
    const key = `${config.architecture} ${variant} ${config.resolution}`;
    const cell = cells.get(key);
    if (cell) cell.seeds++;
    else
      cells.set(key, {
        architecture: config.architecture,
        variant,
        resolution: config.resolution,
        seeds: 1,
        ...workOf(config),
      });
  }
  return {
    file,
    dataset: spec.dataset.name,
    epochs: spec.training.epochs,
    trainImages: splits.train,
    testImages: splits.test,
    cells: [...cells.values()],
  };
}

export function registerReport(program: Command, env: () => SatfarmEnv): void {
  program
    .command('report')
    .description('write a Markdown reproduction report of a finished sweep, with SVG plots beside it')
    .argument('<sweep>', 'sweep id, unique id prefix or name')
    .requiredOption('--out <file.md>', 'the report; its pictures go to a folder of the same name')
    .option('--spec <file>', 'the spec file the sweep was created from (named in the regenerate commands)')
    .option('--notes <file.md>', 'hand-written discussion to append')
    .option(
      '--estimate <spec>',
      "another sweep spec whose cost on this machine to estimate from this sweep's seconds",
    )
    .action(async (ref: string, flags: ReportFlags) => {
      const notes = flags.notes === undefined ? undefined : await readText(flags.notes, '--notes');
      const estimate =
        flags.estimate === undefined
          ? undefined
          : estimateOf(flags.estimate, await readSpecFile(flags.estimate));
      const assets = join(dirname(flags.out), basename(flags.out, '.md'));
      // Before the database is asked anything: a place that cannot be written fails at once.
      await outputStep(assets, 'create the picture folder', () => makeDirectory(assets));
      const link = (file: string) => relative(dirname(flags.out), file);
      const markdown = await withPool(env().databaseUrl, async (pool) => {
        const sweep = await findSweep(pool, ref);
        if (flags.spec !== undefined) {
          const fromFile = sweepIdFor(await readSpecFile(flags.spec));
          if (fromFile !== sweep.id) {
            throw new UsageError(
              `--spec: ${flags.spec} describes sweep ${fromFile.slice(0, 8)}, not ${sweep.name} (${sweep.id.slice(0, 8)}); give the spec the sweep was created from`,
            );
          }
        }
        const trials = await sweepResults(pool, sweep.id);
        const sweepPicture = join(assets, 'sweep.svg');
        const sweepSvgText = sweepSvg(await loadSweepPlot(pool, sweep));
        await outputStep(sweepPicture, 'write', () => writeFile(sweepPicture, sweepSvgText));
        // One saturation picture per (variant, resolution): the first seed's completed trial.
        const trialPictures: { label: string; path: string }[] = [];
        const seen = new Set<string>();
        for (const trial of trials) {
          const key = `${trial.architecture}-${trial.variant}-${trial.resolution}`;
          if (trial.status !== 'completed' || seen.has(key)) continue;
          seen.add(key);
          const file = join(assets, `${key.replace(/[^a-z0-9.-]+/gi, '_')}.svg`);
          const svg = layerSaturationSvg((await loadTrialPlot(pool, trial)).input);
          await outputStep(file, 'write', () => writeFile(file, svg));
          trialPictures.push({
            label: `${trial.architecture} (${trial.variant}) at ${trial.resolution} px, seed ${trial.seed}: saturation per layer`,
            path: link(file),
          });
        }
        const projectionTests = await projectionResults(pool, sweep.id);
        let projectionPicture: string | undefined;
        if (projectionTests.length > 0) {
          const file = join(assets, 'projection.svg');
          const svg = projectionSvg({ title: sweep.name, points: projectionTests });
          await outputStep(file, 'write', () => writeFile(file, svg));
          projectionPicture = link(file);
        }
        const { recommendations } = await recommendResolution({ pool, sweep: sweep.id });
        const specFile = flags.spec ?? `examples/${sweep.name}.yaml`;
        const times = new Map(
          (await reportTrialTimes(pool, sweep.id)).map((t) => [t.trialId, t.wallSeconds]),
        );
        const splits = splitsOf(sweep.spec);
        const macs = new Map<
          string,
          { architecture: string; variant: string; resolution: number; macsPerImage: number }
        >();
        for (const config of expandSweep(sweep.spec)) {
          const variant = variantOf(config);
          const key = `${config.architecture} ${variant} ${config.resolution}`;
          if (!macs.has(key))
            macs.set(key, {
              architecture: config.architecture,
              variant,
              resolution: config.resolution,
              macsPerImage: workOf(config).macsPerImage,
            });
        }
        return renderReport({
          sweep,
          commands: [
            `satfarm sweep create ${specFile}`,
            'satfarm worker --concurrency 2 &  satfarm aggregator &',
            `satfarm sweep status ${sweep.name} --watch`,
            `satfarm report ${sweep.name} --out ${flags.out} --spec ${specFile}${flags.notes ? ` --notes ${flags.notes}` : ''}` +
              `${flags.estimate ? ` --estimate ${flags.estimate}` : ''}`,
          ],
          // The user's file reads better than the stored spec (PostgreSQL's jsonb reorders keys).
          specText: flags.spec === undefined ? stringify(sweep.spec) : await readText(flags.spec, '--spec'),
          machine: `${cpus().length} CPU cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`,
          cores: cpus().length,
          trials: trials.map((t) => ({ ...t, wallSeconds: times.get(t.trialId) ?? null })),
          epochs: await reportEpochs(pool, sweep.id),
          layers: await reportLayers(pool, sweep.id),
          projections: await reportProjections(pool, sweep.id),
          legacyProjections: await projectionSummary(pool, sweep.id),
          recommendations,
          compute:
            splits === undefined
              ? undefined
              : {
                  trainImages: splits.train,
                  testImages: splits.test,
                  epochs: sweep.spec.training.epochs,
                  macs: [...macs.values()],
                },
          estimate,
          images: { sweep: link(sweepPicture), trials: trialPictures, projection: projectionPicture },
          notes,
        });
      });
      await outputStep(flags.out, 'write', () => writeFile(flags.out, markdown));
      process.stdout.write(`wrote ${printable(flags.out)} and its pictures in ${printable(assets)}/\n`);
    });
}

/** A file-system step on the report's output, failing as one `--out:` line with the path and OS error. */
async function outputStep(path: string, what: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    // The OS message names the code, the call and the path that failed (perhaps a parent of `path`).
    throw new UsageError(
      `--out: cannot ${what} ${JSON.stringify(path)} (${(error as Error).message}); give a path in a directory you can write`,
    );
  }
}

async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${flag}: cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
}
