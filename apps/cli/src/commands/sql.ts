import { runReadOnlySql } from '@satfarm/db';
import type { Command } from 'commander';
import { withPool } from '../database.ts';
import type { SatfarmEnv } from '../env.ts';
import { table } from '../format.ts';

export function registerSql(program: Command, env: () => SatfarmEnv): void {
  program
    .command('sql')
    .description('run one read-only SQL statement against the results (writes are refused)')
    .argument('<statement>', 'e.g. "SELECT * FROM resolution_summary"')
    .option('--json', 'print JSON ({ columns, rows })')
    .action(async (statement: string, flags: { json?: boolean }) => {
      const result = await withPool(env().databaseUrl, (pool) => runReadOnlySql(pool, statement));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const show = (v: unknown) =>
        v === null
          ? ''
          : v instanceof Date
            ? v.toISOString()
            : typeof v === 'object'
              ? JSON.stringify(v)
              : String(v);
      process.stdout.write(
        `${table(
          result.columns,
          result.rows.map((r) => r.map(show)),
        )}\n(${result.rows.length} rows)\n`,
      );
    });
}
