/**
 * Writes the first examples of Fashion-MNIST's training and test splits as IDX files, for the GPU
 * machine: the full training images (26 MB compressed) would not fit beside node, Dawn and the bundle
 * in the 64 MiB that travels there.
 *   node --import tsx bench/device/fashion-subset.ts FROM_DIR TO_DIR TRAIN_COUNT TEST_COUNT
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const [from, to, ...counts] = process.argv.slice(2);
const [trainCount, testCount] = counts.map(Number);
const valid = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n >= 1;
if (!from || !to || !valid(trainCount) || !valid(testCount)) {
  process.stderr.write(
    'usage: fashion-subset.ts FROM_DIR TO_DIR TRAIN_COUNT TEST_COUNT (examples to keep, each ≥ 1)\n',
  );
  process.exit(2);
}

/** The first `n` records of an IDX file: header with the new count, then n records. */
function firstRecords(idx: Buffer, n: number): Buffer {
  const dims = idx[3]!;
  const header = 4 + 4 * dims;
  const total = idx.readUInt32BE(4);
  const keep = Math.min(n, total);
  let recordSize = 1;
  for (let d = 1; d < dims; d++) recordSize *= idx.readUInt32BE(4 + 4 * d);
  const out = Buffer.from(idx.subarray(0, header + keep * recordSize));
  out.writeUInt32BE(keep, 4);
  return out;
}

await mkdir(to, { recursive: true });
for (const [name, n] of [
  ['train-images-idx3-ubyte.gz', trainCount],
  ['train-labels-idx1-ubyte.gz', trainCount],
  ['t10k-images-idx3-ubyte.gz', testCount],
  ['t10k-labels-idx1-ubyte.gz', testCount],
] as const) {
  const idx = gunzipSync(await readFile(join(from, name)));
  await writeFile(join(to, name), gzipSync(firstRecords(idx, n)));
}
process.stderr.write(`fashion-subset: ${trainCount} training and ${testCount} test examples in ${to}\n`);
