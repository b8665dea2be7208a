import { describe, expect, it } from 'vitest';
import type { FinishedEvent, PausedEvent, StartedEvent } from '@satfarm/contracts';
import { applyStatusEvent, type TrialState } from './trial-transitions.ts';

const ids = { trialId: 'a'.repeat(32), sweepId: 'b'.repeat(32) };
const start = (attempt: number, worker = 'w'): StartedEvent => ({
  type: 'started',
  ...ids,
  attempt,
  worker,
  backend: 'wasm',
  device: 'cpu',
  at: `2026-11-26T12:00:0${attempt}.000Z`,
});
const finish = (attempt: number, status: FinishedEvent['status'], error?: string): FinishedEvent => ({
  type: 'finished',
  ...ids,
  attempt,
  status,
  at: '2026-11-26T13:00:00.000Z',
  ...(error === undefined ? {} : { error }),
});
const queued: TrialState = {
  status: 'queued',
  attempts: 0,
  worker: null,
  backend: null,
  device: null,
  startedAt: null,
  finishedAt: null,
  error: null,
  searchRung: 0,
};

function run(events: (StartedEvent | FinishedEvent | PausedEvent)[], from: TrialState = queued): TrialState {
  return events.reduce((state, event) => applyStatusEvent(state, event) ?? state, from);
}

describe('applyStatusEvent', () => {
  it('started → running with the attempt and worker; finished → the outcome', () => {
    const running = run([start(1, 'host-a')]);
    expect(running).toMatchObject({
      status: 'running',
      attempts: 1,
      worker: 'host-a',
      startedAt: '2026-11-26T12:00:01.000Z',
    });
    expect(run([start(1), finish(1, 'completed')])).toMatchObject({
      status: 'completed',
      attempts: 1,
      error: null,
    });
  });

  it('ignores a redelivered start and any event of an older attempt', () => {
    const running = run([start(2)]);
    expect(applyStatusEvent(running, start(2))).toBeNull();
    expect(applyStatusEvent(running, start(1))).toBeNull();
    expect(applyStatusEvent(running, finish(1, 'failed'))).toBeNull();
  });

  it('keeps completed, diverged and cancelled final, even for newer attempts', () => {
    for (const status of ['completed', 'diverged', 'cancelled'] as const) {
      const state: TrialState = { ...queued, status, attempts: 1 };
      expect(applyStatusEvent(state, start(2))).toBeNull();
      expect(applyStatusEvent(state, finish(2, 'failed'))).toBeNull();
    }
  });

  it('turns a cancelled trial whose run completed anyway into completed, but nothing else', () => {
    const cancelled: TrialState = { ...run([start(3)]), status: 'cancelled' };
    expect(applyStatusEvent(cancelled, finish(3, 'completed'))).toMatchObject({
      status: 'completed',
      attempts: 3,
      finishedAt: '2026-11-26T13:00:00.000Z',
      error: null,
    });
    expect(applyStatusEvent(cancelled, finish(2, 'completed'))).toBeNull();
    expect(applyStatusEvent(cancelled, finish(3, 'diverged', 'nan'))).toBeNull();
    expect(applyStatusEvent(cancelled, finish(3, 'failed', 'boom'))).toBeNull();
  });

  it('lets only a newer attempt revive or finish a failed trial', () => {
    const failed = run([start(1), finish(1, 'failed', 'boom')]);
    expect(failed).toMatchObject({ status: 'failed', error: 'boom' });
    expect(applyStatusEvent(failed, finish(1, 'completed'))).toBeNull();
    expect(applyStatusEvent(failed, start(1))).toBeNull();
    expect(applyStatusEvent(failed, finish(2, 'completed'))).toMatchObject({
      status: 'completed',
      attempts: 2,
      error: null,
    });
    expect(applyStatusEvent(failed, start(2))).toMatchObject({
      status: 'running',
      attempts: 2,
      error: null,
      finishedAt: null,
    });
  });

  it('accepts a finish whose start was lost', () => {
    expect(run([finish(1, 'diverged', 'NaN loss')])).toMatchObject({
      status: 'diverged',
      attempts: 1,
      error: 'NaN loss',
    });
  });

  describe('search stages', () => {
    const pause = (attempt: number, rung: number): PausedEvent => ({
      type: 'paused',
      ...ids,
      attempt,
      rung,
      at: '2026-11-26T12:30:00.000Z',
      epochs: [],
    });
    it('a pause from the stage the trial is in pauses it; a newer attempt (the promoted stage) runs it', () => {
      const paused = run([start(1), pause(1, 0)]);
      expect(paused.status).toBe('paused');
      const promoted: TrialState = { ...paused, status: 'queued', searchRung: 1 };
      expect(run([start(2)], promoted)).toMatchObject({ status: 'running', attempts: 2, searchRung: 1 });
    });
    it('a pause delivered again after the promotion, or from an older stage, changes nothing', () => {
      const promoted: TrialState = { ...run([start(1), pause(1, 0)]), status: 'queued', searchRung: 1 };
      expect(applyStatusEvent(promoted, pause(1, 0))).toBeNull();
      const running = run([start(2)], promoted);
      expect(applyStatusEvent(running, pause(2, 0))).toBeNull();
    });
    it('while paused, a start or finish of the same attempt (a redelivery) changes nothing', () => {
      const paused = run([start(1), pause(1, 0)]);
      expect(applyStatusEvent(paused, start(1))).toBeNull();
      expect(applyStatusEvent(paused, finish(1, 'failed', 'late'))).toBeNull();
    });
    it('a pruned trial is final', () => {
      const pruned: TrialState = { ...run([start(1), pause(1, 0)]), status: 'pruned' };
      expect(applyStatusEvent(pruned, start(2))).toBeNull();
      expect(applyStatusEvent(pruned, pause(2, 0))).toBeNull();
    });
  });
});
