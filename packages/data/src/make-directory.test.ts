import { existsSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { tempDirTest as it } from '../../../test/support/temp-dir.ts';
import { makeDirectory } from './make-directory.ts';

describe('makeDirectory', () => {
  it('makes every missing level and accepts a directory that exists', async ({ dir }) => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeDirectory(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await makeDirectory(deep);
    await makeDirectory(dir);
  });

  it('refuses a path through or onto a file', async ({ dir }) => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await expect(makeDirectory(join(file, 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirectory(file)).rejects.toMatchObject({ code: 'EEXIST' });
  });

  // Node's own recursive mkdir spins forever here (procfs answers ENOENT under a directory that exists).
  it.runIf(existsSync('/proc/self'))(
    'fails at once under /proc instead of looping',
    async () => {
      await expect(makeDirectory('/proc/satfarm-no-such-dir/x')).rejects.toMatchObject({
        code: 'ENOENT',
        syscall: 'mkdir',
      });
    },
    5_000,
  );
});
