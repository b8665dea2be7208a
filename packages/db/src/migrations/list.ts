import { tables } from './0001-tables.ts';
import { views } from './0002-views.ts';
import { science } from './0003-science.ts';
import { sqlReader } from './0004-sql-reader.ts';
import { projectionResults } from './0005-projection-results.ts';
import { checkpoints } from './0006-checkpoints.ts';
import { search } from './0007-search.ts';
import type { Migration } from './migration.ts';

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  tables,
  views,
  science,
  sqlReader,
  projectionResults,
  checkpoints,
  search,
];
