/**
 * Broken Fashion-MNIST files (FASHION_MNIST_DIR pointing at a directory of hand-made IDX files) through
 * `satfarm train`: each is refused with one line naming the file and what is wrong with it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal, satfarm } from './satfarm-cli.ts';

const MAGIC_LABELS = 0x00000801;
const MAGIC_IMAGES = 0x00000803;

/** An IDX file: big-endian magic, dimensions, then ubyte data (`count` is what the header claims). */
function idx(magic: number, dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => {
    header.writeUInt32BE(d, 4 + 4 * i);
  });
  return Buffer.concat([header, data]);
}

/** Noisy pixels, so that the gzipped file is not a few dozen bytes and truncating it cuts data. */
const images = (n: number, claimed = n) =>
  idx(
    MAGIC_IMAGES,
    [claimed, 28, 28],
    Uint8Array.from({ length: n * 28 * 28 }, (_, i) => (i * 7919) % 251),
  );
const labels = (n: number, value = 3) => idx(MAGIC_LABELS, [n], new Uint8Array(n).fill(value));

type Files = Record<string, Buffer>;
/** 16 training and 16 test examples, all well-formed; each case breaks one thing. */
const goodFiles = (): Files => ({
  'train-images-idx3-ubyte.gz': gzipSync(images(16)),
  'train-labels-idx1-ubyte.gz': gzipSync(labels(16)),
  't10k-images-idx3-ubyte.gz': gzipSync(images(16)),
  't10k-labels-idx1-ubyte.gz': gzipSync(labels(16)),
});

const CASES: [string, (files: Files) => Files | 'no directory', RegExp][] = [
  ['a directory that does not exist', () => 'no directory', /Dataset not found: '.*' does not exist/],
  [
    'a missing labels file',
    (f) => {
      delete f['t10k-labels-idx1-ubyte.gz'];
      return f;
    },
    /Dataset not found: '.*t10k-labels-idx1-ubyte\.gz' does not exist/,
  ],
  [
    'a truncated .gz',
    (f) => {
      const whole = f['train-images-idx3-ubyte.gz']!;
      return { ...f, 'train-images-idx3-ubyte.gz': whole.subarray(0, whole.length >> 1) };
    },
    /Dataset file '.*train-images-idx3-ubyte\.gz' is corrupt: gunzip failed \(unexpected end of file\)/,
  ],
  [
    'a .gz that is not gzip at all',
    (f) => ({ ...f, 'train-labels-idx1-ubyte.gz': Buffer.from('definitely not gzip') }),
    /Dataset file '.*train-labels-idx1-ubyte\.gz' is corrupt: gunzip failed \(incorrect header check\)/,
  ],
  [
    'a wrong magic number',
    (f) => ({ ...f, 'train-images-idx3-ubyte.gz': gzipSync(labels(16)) }),
    /Dataset file '.*train-images-idx3-ubyte\.gz' is corrupt: wrong IDX magic: found 0x00000801, expected 0x00000803/,
  ],
  [
    'fewer images than the header claims',
    (f) => ({ ...f, 't10k-images-idx3-ubyte.gz': gzipSync(images(10, 16)) }),
    /Dataset file '.*t10k-images-idx3-ubyte\.gz' is corrupt: .*/,
  ],
  [
    'more labels than images',
    (f) => ({ ...f, 'train-labels-idx1-ubyte.gz': gzipSync(labels(17)) }),
    /'.*train-images-idx3-ubyte\.gz' holds 16 images but '.*train-labels-idx1-ubyte\.gz' holds 17 labels/,
  ],
  [
    'a label outside 0..9',
    (f) => ({ ...f, 't10k-labels-idx1-ubyte.gz': gzipSync(labels(16, 12)) }),
    /Dataset file '.*t10k-labels-idx1-ubyte\.gz' is corrupt: label 12 at index 0 is outside 0\.\.9/,
  ],
];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'satfarm-bad-data-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('satfarm train on broken Fashion-MNIST files', () => {
  it.concurrent.each(CASES)('refuses %s, naming the file', async (what, breakFiles, expected) => {
    const dir = join(root, what.replace(/\W+/g, '-'));
    const files = breakFiles(goodFiles());
    if (files !== 'no directory') {
      await mkdir(dir);
      for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    }
    const run = await satfarm(
      [
        'train',
        '--arch',
        'simple-cnn',
        '--resolution',
        '28',
        '--limit',
        '8',
        '--epochs',
        '1',
        '--backend',
        'cpu',
      ],
      { FASHION_MNIST_DIR: dir },
    );
    expect(refusal(run).why).toBe('');
    expect(run.stderr).toMatch(expected);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
