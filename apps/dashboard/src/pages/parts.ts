import { percent } from '@satfarm/plots';
import { html, type SafeHtml } from '../html.ts';

export { percent };

export function statusBadge(status: string): SafeHtml {
  return html`<span class="status status-${status}">${status}</span>`;
}

/** "2026-11-26 12:00 UTC" (the server's clock and the database's agree on UTC; browsers' may not). */
export function when(date: Date | string | null): string {
  if (date === null) return '';
  const d = date instanceof Date ? date : new Date(date);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export interface ProgressCounts {
  queued: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Successive-halving sweeps: trials waiting at a rung, and trials the search stopped. */
  paused?: number | undefined;
  pruned?: number | undefined;
  epochsDone: number;
  epochsExpected: number;
}

/**
 * Progress as a bar of epochs done (an inline SVG: attributes, not inline styles, which the CSP
 * forbids) and the trial counts by status.
 */
export function progress(p: ProgressCounts): SafeHtml {
  const fraction = p.epochsExpected === 0 ? 0 : Math.min(1, p.epochsDone / p.epochsExpected);
  const width = Math.round(fraction * 1000) / 10;
  const counts = (
    [
      ['completed', p.completed],
      ['running', p.running],
      ['queued', p.queued],
      ['paused', p.paused ?? 0],
      ['pruned', p.pruned ?? 0],
      ['failed', p.failed],
      ['cancelled', p.cancelled],
    ] as const
  ).filter(([, n]) => n > 0);
  return html`<div class="progress" data-fraction="${fraction.toFixed(4)}">
  <svg class="progress-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${width}">
    <rect class="track" x="0" y="0" width="100" height="6" rx="1"/>
    <rect class="done" x="0" y="0" width="${width}" height="6" rx="1"/>
  </svg>
  <span class="progress-text">${percent(fraction, 0)} · ${p.epochsDone}/${p.epochsExpected} epochs · ${counts.map(([s, n], i) => html`${i > 0 ? ', ' : ''}<span class="count-${s}">${n} ${s}</span>`)}</span>
</div>`;
}
