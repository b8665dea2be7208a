import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { EpochResult } from '@satfarm/contracts';
import type { TrainerCheckpoint, SerializedTensor } from './trainer-checkpoint.ts';

/**
 * The bytes of one trainer checkpoint, the same in every store (a file, or chunk rows in PostgreSQL):
 *
 *   "SATCKPT\x02" | uint32 LE manifest length | manifest (UTF-8 JSON) | SHA-256 (32 bytes)
 *   | zero padding to 8 | tensor bytes
 *
 * The SHA-256 covers the manifest bytes and the tensor bytes: the manifest holds the epoch and the
 * metrics history that a resumed trial replays into PostgreSQL, so a hand-edited or bit-flipped
 * manifest must fail like torn tensor data does.
 */

const MAGIC = Buffer.from('SATCKPT\x02', 'latin1');
/** Format 1 (magic ...\x01) hashed only the tensor bytes; it is refused rather than trusted. */
const MAGIC_PREFIX = MAGIC.subarray(0, MAGIC.length - 1);
const FORMAT = 2;
const DIGEST_BYTES = 32;

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

/** The checkpoint's bytes: a small header, then views of the tensors' own memory (nothing is copied). */
export function encodeCheckpoint(
  trialId: string,
  checkpoint: TrainerCheckpoint,
): { header: Buffer; chunks: Buffer[] } {
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

/**
 * Reads back what `encodeCheckpoint` wrote; throws (a message saying what is wrong) on anything torn,
 * edited or written for another trial. Tensors are views into `bytes` where it is aligned for them
 * (a buffer of its own, as the PostgreSQL store reads), so a large checkpoint is held once.
 */
export function decodeCheckpoint(trialId: string, bytes: Buffer): TrainerCheckpoint {
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
    const values = tensorValues(data, entry);
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

/** A tensor's values: a view when `data` sits 4-byte aligned in its buffer, else an aligned copy. */
function tensorValues(data: Buffer, entry: TensorEntry): Float32Array | Int32Array {
  const offset = data.byteOffset + entry.byteOffset;
  const length = entry.byteLength / 4;
  if (offset % 4 === 0) {
    return entry.dtype === 'int32'
      ? new Int32Array(data.buffer, offset, length)
      : new Float32Array(data.buffer, offset, length);
  }
  const raw = new Uint8Array(data.subarray(entry.byteOffset, entry.byteOffset + entry.byteLength));
  return entry.dtype === 'int32' ? new Int32Array(raw.buffer) : new Float32Array(raw.buffer);
}
