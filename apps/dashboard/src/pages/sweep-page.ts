import type { ResolutionSummaryRow, SweepProgress, SweepRow, TrialResult } from '@satfarm/db';
import { meanStd, type SweepPlotInput } from '@satfarm/plots';
import { html, type SafeHtml, trusted } from '../html.ts';
import type { Page } from '../query-params.ts';
import { page } from './layout.ts';
import { pager } from './pager.ts';
import { percent, progress, statusBadge, when } from './parts.ts';

export interface SweepPageData {
  sweep: SweepRow;
  progress: SweepProgress;
  /** Which trials `trials` holds: one page of the sweep's, in expansion order. */
  page: Page;
  trials: readonly TrialResult[];
  plot: Omit<SweepPlotInput, 'summary'> & { summary: readonly ResolutionSummaryRow[] };
  /** The sweep plot (SVG from @satfarm/plots). */
  svg: string;
}

/** `/sweeps/:id`: progress, recommendation, resolution summary, the sweep plot and a page of trials. */
export function sweepPage(data: SweepPageData): string {
  const { sweep, plot } = data;
  const p = data.progress;
  const counts = {
    queued: p.counts.queued,
    running: p.counts.running,
    completed: p.counts.completed,
    failed: p.counts.failed + p.counts.diverged,
    cancelled: p.counts.cancelled,
    paused: p.counts.paused,
    pruned: p.counts.pruned,
    epochsDone: p.epochsDone,
    epochsExpected: p.epochsExpected,
  };
  const body = html`<section data-live-id="sweep-head">
<h1 class="sweep-title">${sweep.name}</h1>
<p class="meta">${statusBadge(p.status)} <span class="id">${sweep.id}</span> · created ${when(sweep.createdAt)}${
    sweep.completedAt === null ? '' : html` · completed ${when(sweep.completedAt)}`
  }</p>
${progress(counts)}
</section>
<section data-live-id="recommendations">
<h2>Recommended resolution</h2>
${recommendations(plot)}
</section>
${searchSection(data)}
<section data-live-id="summary">
<h2>By resolution</h2>
${summaryTable(plot)}
</section>
<section class="plot" data-live-id="sweep-plot">
<div class="plot-head"><h2>Accuracy and saturation</h2><a class="download" href="/sweeps/${sweep.id}/plot.svg" download="sweep-${sweep.id.slice(0, 8)}.svg">download SVG</a></div>
<div class="svg-frame" id="sweep-plot">${trusted(data.svg)}</div>
</section>
<section data-live-id="trials">
<h2>Trials</h2>
${trialsSection(data, `/sweeps/${sweep.id}`)}
</section>`;
  return page({
    title: sweep.name,
    body,
    crumbs: [{ label: sweep.name }],
    live: p.done ? undefined : 'watch',
  });
}

function recommendations(plot: SweepPlotInput): SafeHtml {
  if (plot.recommendations.length === 0) {
    return html`<p class="empty">None yet: a resolution is recommended once trials of it have completed.</p>`;
  }
  return html`<div class="cards">${plot.recommendations.map(
    (r) => html`<div class="card recommendation" data-architecture="${r.architecture}">
  <div class="card-title">${r.architecture} <span class="variant">${r.variant}</span></div>
  <div class="card-value">${r.resolution} px</div>
  <div class="card-note">test accuracy ${meanStd(r.meanTestAccuracy, r.std)}</div>
</div>`,
  )}</div>`;
}

/** A successive-halving sweep: each rung's decision and what the search trained against its grid. */
function searchSection(data: SweepPageData): SafeHtml | string {
  const rungs = data.plot.rungs ?? [];
  if (rungs.length === 0 && data.progress.gridEpochs === data.progress.epochsExpected) return '';
  const p = data.progress;
  const rows = rungs.map(
    (
      r,
    ) => html`<tr><td>${r.architecture} <span class="variant">${r.variant}</span></td><td class="num">${r.rung}</td>
  <td class="num">${r.epoch}</td><td class="num">${r.promoted} of ${r.candidates}</td></tr>`,
  );
  return html`<section data-live-id="search">
<h2>Search</h2>
<p class="meta">Successive halving: ${p.epochsDone} epochs trained so far of the ${p.epochsExpected} the search plans; the full grid would train ${p.gridEpochs}. Why a trial stopped: <code>SELECT * FROM search_decisions WHERE sweep_id = '${data.sweep.id}'</code></p>
${
  rungs.length === 0
    ? html`<p class="empty">No rung decided yet.</p>`
    : html`<table class="summary search-rungs">
<thead><tr><th>architecture</th><th class="num">rung</th><th class="num">at epoch</th><th class="num">kept</th></tr></thead>
<tbody>${rows}</tbody></table>`
}
</section>`;
}

function summaryTable(plot: SweepPageData['plot']): SafeHtml {
  if (plot.summary.length === 0) return html`<p class="empty">No trial has finished yet.</p>`;
  const isBest = (a: string, v: string, r: number) =>
    plot.recommendations.some((b) => b.architecture === a && b.variant === v && b.resolution === r);
  const rows = plot.summary.map((row) => {
    const best = isBest(row.architecture, row.variant, row.resolution);
    return html`<tr class="${best ? 'best' : ''}">
  <td>${row.architecture}</td><td class="variant">${row.variant}</td><td class="num">${row.resolution} px</td>
  <td class="num">${row.completed}/${row.trials}</td><td class="num">${meanStd(row.meanTestAccuracy, row.std)}</td>
  <td class="num">${percent(row.meanEvalSaturation)}</td><td>${best ? html`<span class="tag">recommended</span>` : ''}</td>
</tr>`;
  });
  return html`<table class="summary">
<thead><tr><th>architecture</th><th>variant</th><th class="num">resolution</th><th class="num">completed</th><th class="num">test accuracy</th><th class="num">mean eval saturation</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The page of trials between two pagers (the lower one only when there are other pages to go to). */
function trialsSection(data: SweepPageData, path: string): SafeHtml {
  if (data.page.total === 0) return html`<p class="empty">This sweep has no trials.</p>`;
  return html`${pager(data.page, path, 'trials')}
${trialsTable(data.trials)}
${data.page.pages > 1 ? pager(data.page, path, 'trials') : ''}`;
}

function trialsTable(trials: readonly TrialResult[]): SafeHtml {
  return html`<table class="trials">
<thead><tr><th>trial</th><th>architecture</th><th class="num">resolution</th><th class="num">seed</th><th>status</th><th class="num">epochs</th><th class="num">test accuracy</th><th class="num">eval saturation</th><th class="num">seconds</th></tr></thead>
<tbody>${trials.map(
    (t) => html`<tr data-trial="${t.trialId}">
  <td><a href="/trials/${t.trialId}">${t.trialId.slice(0, 8)}</a></td><td>${t.architecture}</td>
  <td class="num">${t.resolution} px</td><td class="num">${t.seed}</td><td>${statusBadge(t.status)}</td>
  <td class="num">${t.epochs}/${t.plannedEpochs}</td><td class="num">${percent(t.testAccuracy)}</td>
  <td class="num">${percent(t.meanEvalSaturation)}</td><td class="num">${t.seconds === null ? '' : t.seconds.toFixed(1)}</td>
</tr>`,
  )}</tbody></table>`;
}
