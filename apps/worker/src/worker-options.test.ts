import { describe, expect, it } from 'vitest';
import { childConfigOf } from './child-config.ts';
import { compileWorkerOptions, InvalidWorkerOptionError } from './worker-options.ts';

const base = { redisUrl: 'redis://h', checkpointDir: '/c', fashionMnistDir: '/f' };

describe('compileWorkerOptions with gpus', () => {
  it('runs one trainer per GPU by default and takes a larger total', () => {
    expect(compileWorkerOptions({ ...base, gpus: ['0', '1', '3'] })).toMatchObject({
      gpus: ['0', '1', '3'],
      concurrency: 3,
      nvidiaGpusDir: '/proc/driver/nvidia/gpus',
    });
    expect(compileWorkerOptions({ ...base, gpus: ['0', '1'], concurrency: 5 }).concurrency).toBe(5);
    expect(compileWorkerOptions(base)).toMatchObject({ concurrency: 1 });
    expect(compileWorkerOptions(base).gpus).toBeUndefined();
  });

  it('refuses fewer trainers than GPUs, saying a GPU would idle', () => {
    const attempt = () => compileWorkerOptions({ ...base, gpus: ['0', '1'], concurrency: 1 });
    expect(attempt).toThrow(InvalidWorkerOptionError);
    expect(attempt).toThrow(
      /concurrency: 1 trainer\(s\) for 2 GPUs \(0,1\) would leave a GPU idle; expected at least 2 .*\(got 1\)/,
    );
  });

  it('refuses an empty list, a bad id and a repeated one', () => {
    expect(() => compileWorkerOptions({ ...base, gpus: [] })).toThrow(/gpus: expected at least one GPU id/);
    expect(() => compileWorkerOptions({ ...base, gpus: ['0', 'x'] })).toThrow(
      /gpus\.1: expected a GPU id: a whole number >= 0.*\(got \["0","x"\]\)/,
    );
    expect(() => compileWorkerOptions({ ...base, gpus: ['1', '1'] })).toThrow(
      /gpus: expected each GPU id once/,
    );
  });
});

describe('compileWorkerOptions workerId', () => {
  it('refuses control characters (it is stored with each trial and printed), naming field and character', () => {
    expect(compileWorkerOptions({ ...base, workerId: 'gpu-box 7' }).workerId).toBe('gpu-box 7');
    expect(() => compileWorkerOptions({ ...base, workerId: 'w\u001b]0;x\u0007' })).toThrow(
      /^invalid worker options: workerId: control character \\x1b at position 1 in "w\\x1b\]0;x\\x07"; expected printable text/,
    );
  });
});

describe('childConfigOf', () => {
  it("carries the worker's name and GPU to its trainer processes", () => {
    const o = compileWorkerOptions({ ...base, workerId: 'w', gpus: ['0', '1'] });
    expect(childConfigOf(o)).toMatchObject({ workerId: 'w' });
    expect(childConfigOf(o).gpu).toBeUndefined();
    expect(childConfigOf(o, { workerId: 'w/gpu1', gpu: '1' })).toMatchObject({
      workerId: 'w/gpu1',
      gpu: '1',
    });
  });
});
