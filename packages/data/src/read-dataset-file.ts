import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DatasetCorruptError, DatasetNotFoundError } from './errors.ts';
import { resolveLimit } from './limits.ts';

/** File-system side of the loaders: every I/O failure is turned into a named dataset error. */

const gunzipAsync = promisify(gunzip);

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** What a loader of dataset files is given: their directory and how many examples of each split to keep. */
export interface DatasetFilesOptions {
  dir: string;
  /** The first N training examples (see limits.ts); undefined: all. */
  trainLimit?: number;
  testLimit?: number;
}

/**
 * What every loader of dataset files does first: checks both limits before any I/O, so that a bad
 * option fails fast and reads nothing, then that `dir` is a directory (`hint` says how to get one).
 */
export async function checkBeforeLoading(options: DatasetFilesOptions, hint: string): Promise<void> {
  resolveLimit(options.trainLimit, Number.MAX_SAFE_INTEGER, 'trainLimit');
  resolveLimit(options.testLimit, Number.MAX_SAFE_INTEGER, 'testLimit');
  await assertDirectory(options.dir, hint);
}

/** Fail early, naming the directory itself, rather than the first file looked for inside it. */
export async function assertDirectory(dir: string, hint: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (err) {
    if (isNotFound(err)) throw new DatasetNotFoundError(dir, 'does not exist', hint, { cause: err });
    throw err;
  }
  if (!isDir) throw new DatasetNotFoundError(dir, 'is not a directory', hint);
}

/** Read a file, or `undefined` when it does not exist (other I/O errors propagate). */
export async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Read `name.gz` (gunzipped) from `dir`, falling back to an already-decompressed `name`
 * (some installs unpack the files). Returns the path actually read, for error messages.
 */
export async function readMaybeGzipped(
  dir: string,
  name: string,
  hint: string,
): Promise<{ path: string; bytes: Uint8Array }> {
  const gzPath = join(dir, `${name}.gz`);
  const gz = await readIfExists(gzPath);
  if (gz !== undefined) {
    try {
      return { path: gzPath, bytes: await gunzipAsync(gz) };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new DatasetCorruptError(gzPath, `gunzip failed (${reason})`, { cause: err });
    }
  }
  const plainPath = join(dir, name);
  const plain = await readIfExists(plainPath);
  if (plain !== undefined) return { path: plainPath, bytes: plain };
  throw new DatasetNotFoundError(gzPath, `does not exist (nor does '${plainPath}')`, hint);
}
