import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDirectory } from './make-directory.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-mkdir-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('makeDirectory', () => {
  it('makes every missing level and accepts a directory that exists', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeDirectory(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await makeDirectory(deep);
    await makeDirectory(dir);
  });

  it('refuses a path through or onto a file', async () => {
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
