import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { EpochResult } from '@satfarm/contracts';
import { makeDirectory } from '@satfarm/data';
import type { SerializedTensor, TrainerCheckpoint } from './trainer-checkpoint.ts';

/**
 * A directory of trainer checkpoints, one file per trial (`<trialId>.ckpt`), shared between machines in
 * production (NFS and the like). A file is a JSON manifest followed by the raw tensor bytes:
 *
 *   "SATCKPT\x02" | uint32 LE manifest length | manifest (UTF-8 JSON) | SHA-256 (32 bytes)
 *   | zero padding to 8 | tensor bytes
 *
 * Writes go to a temporary file in the same directory that is renamed over the old one, so a reader (or
 * a worker killed mid-write) only ever sees a whole old or a whole new checkpoint. The SHA-256 covers the
 * manifest bytes and the tensor bytes: the manifest holds the epoch and the metrics history that a
 * resumed trial replays into PostgreSQL, so a hand-edited or bit-flipped manifest must fail like torn
 * tensor data does. A file that fails is reported and treated as missing.
 */

const MAGIC = Buffer.from('SATCKPT\x02', 'latin1');
/** Format 1 (magic ...\x01) hashed only the tensor bytes; it is refused rather than trusted. */
const MAGIC_PREFIX = MAGIC.subarray(0, MAGIC.length - 1);
const FORMAT = 2;
const DIGEST_BYTES = 32;
const SUFFIX = '.ckpt';
/** Trial ids become file names: nothing that could climb out of the directory or hide as a dotfile. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

type Group = 'weights' | 'optimizer';

interface TensorEntry {
  group: Group;
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  byteOffset: number;
  byteLength: number;
}

interface Manifest {
  format: number;
  trialId: string;
  epoch: number;
  savedAt: string;
  endianness: 'LE';
  history: EpochResult[];
  tensors: TensorEntry[];
  dataBytes: number;
}

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

/** What `load` found wrong with a file it then ignored (and moved aside to `movedTo`). */
export interface CorruptCheckpointReport {
  trialId: string;
  path: string;
  reason: string;
  movedTo: string | undefined;
}

export interface CheckpointStoreOptions {
  /** Told about every corrupt checkpoint `load` skipped (the worker logs it). */
  onCorrupt?: ((report: CorruptCheckpointReport) => void) | undefined;
}

export class CheckpointStore {
  readonly dir: string;
  private readonly onCorrupt: CheckpointStoreOptions['onCorrupt'];

  constructor(dir: string, options: CheckpointStoreOptions = {}) {
    this.dir = dir;
    this.onCorrupt = options.onCorrupt;
  }

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
    const { header, chunks } = encode(trialId, checkpoint);
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
      return decode(trialId, bytes);
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

function encode(trialId: string, checkpoint: TrainerCheckpoint): { header: Buffer; chunks: Buffer[] } {
  if (endianness() !== 'LE')
    throw new Error('checkpoints are written little-endian; this machine is big-endian');
  const tensors: TensorEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  const add = (group: Group, t: SerializedTensor) => {
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    tensors.push({
      group,
      name: t.name,
      shape: [...t.shape],
      dtype: t.dtype,
      byteOffset: offset,
      byteLength: bytes.length,
    });
    chunks.push(bytes);
    offset += bytes.length;
  };
  for (const t of checkpoint.weights) add('weights', t);
  for (const t of checkpoint.optimizer) add('optimizer', t);
  const manifest: Manifest = {
    format: FORMAT,
    trialId,
    epoch: checkpoint.epoch,
    savedAt: new Date().toISOString(),
    endianness: 'LE',
    history: checkpoint.history,
    tensors,
    dataBytes: offset,
  };
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const hash = createHash('sha256').update(json);
  for (const chunk of chunks) hash.update(chunk);
  const prefix = MAGIC.length + 4 + json.length + DIGEST_BYTES;
  const header = Buffer.alloc(prefix + ((8 - (prefix % 8)) % 8));
  MAGIC.copy(header, 0);
  header.writeUInt32LE(json.length, MAGIC.length);
  json.copy(header, MAGIC.length + 4);
  hash.digest().copy(header, MAGIC.length + 4 + json.length);
  return { header, chunks };
}

function decode(trialId: string, bytes: Buffer): TrainerCheckpoint {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC_PREFIX.length).equals(MAGIC_PREFIX)) {
    throw new Error('not a satfarm checkpoint (bad magic bytes)');
  }
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error(
      `checkpoint format ${bytes[MAGIC.length - 1]} is not read by this build (format ${FORMAT} ` +
        'checksums the manifest too); the trial starts over',
    );
  }
  const jsonLength = bytes.readUInt32LE(MAGIC.length);
  const jsonStart = MAGIC.length + 4;
  const jsonEnd = jsonStart + jsonLength;
  const digestEnd = jsonEnd + DIGEST_BYTES;
  if (digestEnd > bytes.length) throw new Error(`truncated manifest (${jsonLength} bytes announced)`);
  const json = bytes.subarray(jsonStart, jsonEnd);
  const dataStart = digestEnd + ((8 - (digestEnd % 8)) % 8);
  const data = bytes.subarray(dataStart);
  // Checked before the manifest is believed: its epoch and history are what a resume replays.
  const digest = createHash('sha256').update(json).update(data).digest();
  if (!digest.equals(bytes.subarray(jsonEnd, digestEnd))) {
    throw new Error('checksum mismatch: the manifest or the tensor data changed after it was written');
  }
  const manifest = checkManifest(JSON.parse(json.toString('utf8')), trialId);
  if (data.length !== manifest.dataBytes) {
    throw new Error(
      `tensor data is ${data.length} bytes, the manifest says ${manifest.dataBytes} (truncated?)`,
    );
  }
  const weights: SerializedTensor[] = [];
  const optimizer: SerializedTensor[] = [];
  for (const entry of manifest.tensors) {
    // A copy: typed arrays need an aligned buffer of their own, and `bytes` can then be freed.
    const raw = new Uint8Array(data.subarray(entry.byteOffset, entry.byteOffset + entry.byteLength));
    const values = entry.dtype === 'int32' ? new Int32Array(raw.buffer) : new Float32Array(raw.buffer);
    const tensor: SerializedTensor = {
      name: entry.name,
      shape: entry.shape,
      dtype: entry.dtype,
      data: values,
    };
    (entry.group === 'weights' ? weights : optimizer).push(tensor);
  }
  return { epoch: manifest.epoch, weights, optimizer, history: manifest.history };
}

function checkManifest(value: unknown, trialId: string): Manifest {
  const m = value as Partial<Manifest> | null;
  if (m === null || typeof m !== 'object') throw new Error('manifest is not an object');
  if (m.format !== FORMAT)
    throw new Error(`unknown checkpoint format ${String(m.format)} (this build reads ${FORMAT})`);
  if (m.trialId !== trialId) throw new Error(`checkpoint belongs to trial '${String(m.trialId)}'`);
  if (m.endianness !== 'LE') throw new Error(`unsupported byte order ${String(m.endianness)}`);
  if (typeof m.epoch !== 'number' || !Number.isInteger(m.epoch) || m.epoch < 0) throw new Error('bad epoch');
  if (typeof m.dataBytes !== 'number') throw new Error('bad data section fields');
  const history = EpochResult.array().safeParse(m.history);
  if (!history.success) throw new Error(`bad history: ${history.error.issues[0]?.message ?? 'invalid'}`);
  // The history is every epoch up to the checkpoint's, in order: a resume replays it as the trial's
  // rows and trains on from `epoch`, so a gap or an extra entry would store or skip an epoch.
  const numbers = history.data.map((r) => r.epoch);
  if (numbers.length !== m.epoch || numbers.some((n, i) => n !== i + 1)) {
    throw new Error(`history holds epochs [${numbers.join(', ')}], expected 1..${m.epoch}`);
  }
  if (!Array.isArray(m.tensors)) throw new Error('tensor list missing');
  for (const t of m.tensors as unknown[]) {
    const e = t as Partial<TensorEntry>;
    const elements = Array.isArray(e.shape) ? e.shape.reduce((n, d) => n * d, 1) : Number.NaN;
    const ok =
      (e.group === 'weights' || e.group === 'optimizer') &&
      typeof e.name === 'string' &&
      (e.dtype === 'float32' || e.dtype === 'int32') &&
      Number.isInteger(e.byteOffset) &&
      e.byteLength === elements * 4 &&
      (e.byteOffset ?? 0) >= 0 &&
      (e.byteOffset ?? 0) + e.byteLength <= m.dataBytes;
    if (!ok) throw new Error(`bad tensor entry ${JSON.stringify(t).slice(0, 200)}`);
  }
  return { ...(m as Manifest), history: history.data };
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
