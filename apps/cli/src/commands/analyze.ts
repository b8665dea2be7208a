import { readFile } from 'node:fs/promises';
import { CovarianceAccumulator, saturationOf } from '@satfarm/saturation';
import { DEFAULT_DELTA, KRule } from '@satfarm/contracts';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { percent } from '../format.ts';
import { parseMatrixCsv } from '../matrix-csv.ts';
import { numberFlag } from '../numbers.ts';

interface AnalyzeFlags {
  delta: number;
  kRule: string;
  json?: boolean;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('saturation of a sample matrix (CSV, rows = samples, columns = features)')
    .argument('<file>', 'CSV file of numbers; an optional first header line')
    .option(
      '--delta <f>',
      'share of variance the eigenspace keeps, in (0, 1)',
      numberFlag('--delta'),
      DEFAULT_DELTA,
    )
    .option(
      '--k-rule <rule>',
      'textbook (smallest k reaching delta) or delve (the Python library rule)',
      'textbook',
    )
    .option('--json', 'print JSON')
    .action(async (file: string, flags: AnalyzeFlags) => {
      if (!(flags.delta > 0 && flags.delta < 1)) {
        throw new UsageError(`--delta: got ${flags.delta}; expected a number between 0 and 1 (exclusive)`);
      }
      const rule = KRule.safeParse(flags.kRule);
      if (!rule.success)
        throw new UsageError(`--k-rule: got ${JSON.stringify(flags.kRule)}; expected textbook or delve`);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error';
        throw new UsageError(`cannot read ${file}: ${code}`);
      }
      const matrix = parseMatrixCsv(text, file);
      const acc = new CovarianceAccumulator(matrix.columns);
      acc.addRows(matrix.data, matrix.rows);
      const covariance = acc.covariance();
      if (!covariance.every(Number.isFinite)) {
        // Finite inputs whose squares overflow float64 (|x| beyond ~1e154): no spectrum can be computed.
        throw new UsageError(
          `${file}: the values are too large: their covariance overflows 64-bit floats; scale the data down`,
        );
      }
      const result = saturationOf(covariance, matrix.columns, { delta: flags.delta, kRule: rule.data });
      const out = {
        samples: matrix.rows,
        width: matrix.columns,
        k: result.k,
        saturation: result.saturation,
        eigenvalues: Array.from(result.eigenvalues),
      };
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      process.stdout.write(
        `${out.samples} samples × ${out.width} features: k = ${out.k} (δ = ${flags.delta}, ${rule.data} rule), ` +
          `saturation ${percent(out.saturation)}\n` +
          `eigenvalues: ${out.eigenvalues.map((v) => v.toPrecision(4)).join(', ')}\n`,
      );
    });
}
