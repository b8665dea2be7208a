import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectory } from '@satfarm/data';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.ts';
import type { CheckpointStore, CheckpointStoreOptions } from './checkpoint-store.ts';
import type { TrainerCheckpoint } from './trainer-checkpoint.ts';

/**
 * A directory of trainer checkpoints, one file per trial (`<trialId>.ckpt`, in checkpoint-format.ts's
 * format), shared between machines (NFS and the like) when trials should move between them.
 *
 * Writes go to a temporary file in the same directory that is renamed over the old one, so a reader (or
 * a worker killed mid-write) only ever sees a whole old or a whole new checkpoint. A file that fails its
 * checksum is reported, moved aside as `*.ckpt.corrupt` and treated as missing.
 */

const SUFFIX = '.ckpt';
/** Trial ids become file names: nothing that could climb out of the directory or hide as a dotfile. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** The directory cannot be created or written: names it and the failing operation. */
export class CheckpointDirectoryError extends Error {
  override readonly name = 'CheckpointDirectoryError';
  constructor(
    readonly dir: string,
    readonly operation: string,
    options: { cause: unknown },
  ) {
    const code = (options.cause as NodeJS.ErrnoException | undefined)?.code;
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `checkpoint directory '${dir}' is not usable: ${operation} failed (${code ?? reason}); ` +
        'point CHECKPOINT_DIR at a directory this process can create and write (shared by all workers)',
      options,
    );
  }
}

/** A trial id that cannot be a file name. */
export class InvalidCheckpointIdError extends Error {
  override readonly name = 'InvalidCheckpointIdError';
  constructor(readonly trialId: string) {
    super(
      `invalid trial id '${trialId}' for a checkpoint: expected letters, digits, '.', '_' or '-' (1-200)`,
    );
  }
}

export class FileCheckpointStore implements CheckpointStore {
  readonly dir: string;
  readonly removesCompleted = 'worker';
  private readonly onCorrupt: CheckpointStoreOptions['onCorrupt'];

  constructor(dir: string, options: CheckpointStoreOptions = {}) {
    this.dir = dir;
    this.onCorrupt = options.onCorrupt;
  }

  get description(): string {
    return `files in ${this.dir}`;
  }

  async close(): Promise<void> {}

  pathOf(trialId: string): string {
    if (!SAFE_ID.test(trialId)) throw new InvalidCheckpointIdError(trialId);
    return join(this.dir, `${trialId}${SUFFIX}`);
  }

  /** Creates the directory and proves it writable; call at start-up to fail before taking work. */
  async check(): Promise<void> {
    await this.ensureDir();
    const probe = join(this.dir, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      const handle = await open(probe, 'w');
      await handle.close();
      await unlink(probe);
    } catch (cause) {
      throw new CheckpointDirectoryError(this.dir, 'writing a file', { cause });
    }
  }

  async save(trialId: string, checkpoint: TrainerCheckpoint): Promise<void> {
    const target = this.pathOf(trialId);
    await this.ensureDir();
    const { header, chunks } = encodeCheckpoint(trialId, checkpoint);
    const temp = join(this.dir, `.${trialId}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(temp, 'w');
    } catch (cause) {
      throw new CheckpointDirectoryError(this.dir, `creating ${temp}`, { cause });
    }
    try {
      try {
        const buffers = [header, ...chunks];
        const total = buffers.reduce((n, b) => n + b.length, 0);
        let written = (await handle.writev(buffers)).bytesWritten;
        // A filling disk shows first as a short write, not an error: renaming that file would publish a
        // torn checkpoint. Writing the rest either finishes it or surfaces the real error (ENOSPC, EDQUOT).
        if (written < total) {
          const all = Buffer.concat(buffers);
          while (written < total) {
            const { bytesWritten } = await handle.write(all, written, total - written, written);
            if (bytesWritten === 0) throw new Error(`short write: ${written} of ${total} bytes`);
            written += bytesWritten;
          }
        }
        // Data on disk before the rename makes it visible: a crash must not leave a renamed empty file.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (cause) {
      await unlink(temp).catch(() => {});
      throw new CheckpointDirectoryError(this.dir, `writing ${target}`, { cause });
    }
    await syncDirectory(this.dir);
  }

  /** The trial's checkpoint, or undefined when there is none or it is unreadable (reported, moved aside). */
  async load(trialId: string): Promise<TrainerCheckpoint | undefined> {
    const path = this.pathOf(trialId);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CheckpointDirectoryError(this.dir, `reading ${path}`, { cause });
    }
    try {
      return decodeCheckpoint(trialId, bytes);
    } catch (error) {
      const movedTo = `${path}.corrupt`;
      const moved = await rename(path, movedTo).then(
        () => true,
        () => false,
      );
      this.onCorrupt?.({
        trialId,
        path,
        reason: error instanceof Error ? error.message : String(error),
        movedTo: moved ? movedTo : undefined,
      });
      return undefined;
    }
  }

  /** Deletes the trial's checkpoint and any temporary file a killed writer left behind. */
  async remove(trialId: string): Promise<void> {
    const path = this.pathOf(trialId);
    try {
      await rm(path, { force: true });
      const leftovers = (await readdir(this.dir)).filter(
        (f) => f.startsWith(`.${trialId}.`) && f.endsWith('.tmp'),
      );
      await Promise.all(leftovers.map((f) => rm(join(this.dir, f), { force: true })));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new CheckpointDirectoryError(this.dir, `removing ${path}`, { cause });
    }
  }

  private async ensureDir(): Promise<void> {
    try {
      // Not mkdir's `recursive`: on a path such as /proc/x it retries forever at full CPU (makeDirectory).
      await makeDirectory(this.dir);
    } catch (cause) {
      throw new CheckpointDirectoryError(this.dir, 'creating the directory', { cause });
    }
  }
}

/** Makes the rename durable; some file systems cannot fsync a directory, which only costs durability. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort (EISDIR/EINVAL on some platforms and network file systems).
  }
}
