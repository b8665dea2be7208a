import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';

/** vitest's `test` with `dir`: an empty directory of its own for each test, removed after it. */
export const tempDirTest = test.extend(
  'dir',
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  async ({}, { onCleanup }): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'satfarm-test-'));
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    return dir;
  },
);
