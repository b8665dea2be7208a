import { ensureDatabase, migrate } from '@satfarm/db';
import type { Command } from 'commander';
import { withPool } from '../database.ts';
import type { SatfarmEnv } from '../env.ts';

export function registerDb(program: Command, env: () => SatfarmEnv): void {
  const db = program.command('db').description('PostgreSQL schema');
  db.command('migrate')
    .description('create the database when missing and apply every pending migration (safe to run twice)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const result = await migrateDatabase(env().databaseUrl);
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        process.stdout.write(
          `${result.createdDatabase ? `created database ${result.database}; ` : ''}` +
            `applied ${result.applied.length} migration(s); schema at version ${result.current}\n`,
        );
        // Not an error: the farm works without it; only `satfarm sql` needs it (or DATABASE_READER_URL).
        if (!result.sqlReader.ready) process.stderr.write(`warning: ${result.sqlReader.reason}\n`);
      }
    });
}

export async function migrateDatabase(databaseUrl: string) {
  const { database, created } = await ensureDatabase(databaseUrl);
  const result = await withPool(databaseUrl, (pool) => migrate(pool));
  return { database, createdDatabase: created, ...result };
}
