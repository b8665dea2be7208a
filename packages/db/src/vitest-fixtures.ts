// vitest fixtures for the template-database clone, exported as `@satfarm/db/vitest` only: importing
// vitest outside a test run throws, and benches import `@satfarm/db/testing`.
import { test as base } from 'vitest';
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './testing.ts';

type OnCleanup = (cleanup: () => Promise<void>) => void;

/** A fixture that makes a database (see `createTestDatabase`) and drops it when its scope ends. */
function databaseFixture(options: TestDatabaseOptions = {}) {
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  return async ({}: object, { onCleanup }: { onCleanup: OnCleanup }): Promise<TestDatabase> => {
    const db = await createTestDatabase(undefined, options);
    onCleanup(() => db.drop());
    return db;
  };
}

/**
 * vitest's `test` with `db`: one migrated copy of the template database per test file, made when the
 * file's first test or `beforeAll` asks for it and dropped after its last `afterAll`. Seed it in
 * `test.beforeAll(async ({ db }) => …)`. `emptyDb`, likewise: a database `satfarm db migrate` never ran on.
 */
export const test = base
  .extend('db', { scope: 'file' }, databaseFixture())
  .extend('emptyDb', { scope: 'file' }, databaseFixture({ empty: true }));

export const it = test;

/** Like `test`'s `db`, but every test gets a database of its own, dropped after its `afterEach` hooks. */
export const freshDbTest = base.extend('db', databaseFixture());
