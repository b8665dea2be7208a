import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { loadSweepPlot, loadTrialPlot } from '@satfarm/plot-data';
import {
  findSweep,
  layerResolutionSummary,
  projectionResults,
  projectionSummary,
  resolutionSummary,
  saturationByProductivity,
  sweepResults,
} from '@satfarm/db';
import { layerSaturationSvg, projectionSvg, sweepSvg } from '@satfarm/plots';
import { renderReport } from '@satfarm/report';
import { recommendResolution } from '@satfarm/scheduler';
import { sweepIdFor } from '@satfarm/contracts';
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
}

export function registerReport(program: Command, env: () => SatfarmEnv): void {
  program
    .command('report')
    .description('write a Markdown reproduction report of a finished sweep, with SVG plots beside it')
    .argument('<sweep>', 'sweep id, unique id prefix or name')
    .requiredOption('--out <file.md>', 'the report; its pictures go to a folder of the same name')
    .option('--spec <file>', 'the spec file the sweep was created from (named in the regenerate commands)')
    .option('--notes <file.md>', 'hand-written discussion to append')
    .action(async (ref: string, flags: ReportFlags) => {
      const notes = flags.notes === undefined ? undefined : await readText(flags.notes, '--notes');
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
        return renderReport({
          sweep,
          commands: [
            `satfarm sweep create ${specFile}`,
            'satfarm worker --concurrency 2 &  satfarm aggregator &',
            `satfarm sweep status ${sweep.name} --watch`,
            `satfarm report ${sweep.name} --out ${flags.out} --spec ${specFile}${flags.notes ? ` --notes ${flags.notes}` : ''}`,
          ],
          // The user's file reads better than the stored spec (PostgreSQL's jsonb reorders keys).
          specText: flags.spec === undefined ? stringify(sweep.spec) : await readText(flags.spec, '--spec'),
          machine: `${cpus().length} CPU cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`,
          trials,
          summary: await resolutionSummary(pool, sweep.id),
          recommendations,
          projectionTests,
          projections: await projectionSummary(pool, sweep.id),
          productivity: await saturationByProductivity(pool, sweep.id),
          layers: await layerResolutionSummary(pool, sweep.id),
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
