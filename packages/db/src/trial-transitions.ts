import type { FinishedEvent, PausedEvent, StartedEvent } from '@satfarm/contracts';
import { FINAL_TRIAL_STATUSES, type TrialStatus } from './statuses.ts';

/** The columns of a trial that status events change. */
export interface TrialState {
  status: TrialStatus;
  attempts: number;
  worker: string | null;
  backend: string | null;
  device: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** Search stage (0 in a grid sweep); only decisions change it, events are checked against it. */
  searchRung: number;
}

/**
 * The state after one `started` or `finished` event, or `null` when the event must not change
 * anything. Rules (why: a stalled job can come back to life after its retry has already run):
 * - an attempt older than the trial's newest attempt is ignored;
 * - completed, diverged and cancelled are final;
 * - failed is final for its own attempt and older ones; a newer attempt may start or finish it;
 * - a search trial pauses at its rung only from the stage it trains in: a pause sent again after the
 *   rung's decision promoted it (or by an older stage) is ignored, and while paused, only a newer
 *   attempt (the promoted stage's job) moves it on;
 * - except that a cancelled trial whose run completed anyway (the cancel came during its last epoch,
 *   when no epoch boundary was left to stop at) becomes completed: its `completed` event carries every
 *   epoch, so the work is whole, and leaving it cancelled would make `sweep resume` train it again.
 */
export function applyStatusEvent(
  state: TrialState,
  event: StartedEvent | FinishedEvent | PausedEvent,
): TrialState | null {
  if (event.attempt < state.attempts) return null;
  if (state.status === 'cancelled' && event.type === 'finished' && event.status === 'completed') {
    return { ...state, status: 'completed', attempts: event.attempt, finishedAt: event.at, error: null };
  }
  if ((FINAL_TRIAL_STATUSES as readonly string[]).includes(state.status)) return null;
  if (state.status === 'failed' && event.attempt <= state.attempts) return null;
  if (state.status === 'paused' && event.attempt <= state.attempts) return null;
  if (event.type === 'paused') {
    if (event.rung !== state.searchRung) return null;
    return { ...state, status: 'paused', attempts: event.attempt, finishedAt: null, error: null };
  }
  if (event.type === 'started') {
    if (state.status === 'running' && event.attempt === state.attempts && state.startedAt !== null) {
      // Redelivery of the same start: keep the first timestamp.
      return null;
    }
    return {
      status: 'running',
      attempts: event.attempt,
      worker: event.worker,
      backend: event.backend,
      device: event.device,
      startedAt: event.at,
      finishedAt: null,
      error: null,
      searchRung: state.searchRung,
    };
  }
  return {
    ...state,
    status: event.status,
    attempts: Math.max(state.attempts, event.attempt),
    finishedAt: event.at,
    error: event.status === 'completed' ? null : (event.error ?? null),
  };
}
