import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that always ends. Node 20's `mkdir(path, { recursive: true })` loops forever, at full CPU,
 * when a directory refuses to create a child with ENOENT although it exists (`/proc/x`, sysfs): it
 * creates the parent (already there), retries the child, gets ENOENT again, and so on. Here each level
 * is tried at most twice, once before and once after its parent was made, so such a path fails with
 * the OS error (code, syscall and path, as from `mkdir`). An existing directory is fine; an existing
 * file is EEXIST.
 */
export async function makeDirectory(path: string): Promise<void> {
  const dir = resolve(path);
  try {
    await mkdir(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return assertDirectory(dir, error);
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    await makeDirectory(parent);
  }
  // The parent exists now: a second ENOENT is final.
  try {
    await mkdir(dir);
  } catch (error) {
    // Another process may have made it meanwhile (workers share the checkpoint directory).
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return assertDirectory(dir, error);
    throw error;
  }
}

async function assertDirectory(dir: string, exists: unknown): Promise<void> {
  if (!(await stat(dir)).isDirectory()) throw exists;
}
