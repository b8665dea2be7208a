import type { EpochRow, TrialResult } from '@satfarm/db';
import { html, type SafeHtml, trusted } from '../html.ts';
import { page } from './layout.ts';
import { percent, statusBadge } from './parts.ts';

export interface TrialPageData {
  trial: TrialResult & { sweepId: string };
  sweepName: string;
  epochs: readonly EpochRow[];
  /** The epoch shown, or undefined before the first epoch is stored. */
  epoch: number | undefined;
  /** Saturation per layer at `epoch` and loss/accuracy curves (SVG from @satfarm/plots). */
  saturationSvg: string | undefined;
  curvesSvg: string;
}

const OPEN = new Set(['queued', 'running', 'paused']);

/** `/trials/:id`: the trial's numbers, saturation per layer with an epoch slider, and its curves. */
export function trialPage(data: TrialPageData): string {
  const { trial, epochs, epoch } = data;
  const first = epochs[0]?.epoch ?? 1;
  const last = epochs.at(-1)?.epoch ?? 1;
  const slider =
    epoch === undefined
      ? html`<p class="empty">No epoch stored yet: saturation appears here after the first epoch.</p>`
      : html`<div class="slider">
  <label for="epoch">epoch <output id="epoch-value" for="epoch">${epoch}</output> of <span id="epoch-last">${last}</span></label>
  <input type="range" id="epoch" name="epoch" min="${first}" max="${last}" step="1" value="${epoch}"${
    first === last ? ' disabled' : ''
  } data-trial="${trial.trialId}" data-follow="${epoch === last ? 'true' : 'false'}">
</div>`;
  const body = html`<section data-live-id="trial-head" data-last-epoch="${last}">
<h1 class="trial-title">${trial.architecture} at ${trial.resolution} px, seed ${trial.seed}</h1>
<p class="meta">${statusBadge(trial.status)} <span class="id">${trial.trialId}</span> · sweep <a href="/sweeps/${trial.sweepId}">${data.sweepName}</a> · ${trial.variant}</p>
${facts(trial)}
${trial.error === null ? '' : html`<pre class="error">${trial.error}</pre>`}
</section>
<section class="plot">
<div class="plot-head"><h2>Saturation per layer</h2>${
    epoch === undefined
      ? ''
      : html`<a class="download" id="saturation-download" href="/trials/${trial.trialId}/saturation.svg?epoch=${epoch}" download="trial-${trial.trialId.slice(0, 8)}-epoch-${epoch}.svg">download SVG</a>`
  }</div>
${slider}
<div class="svg-frame" id="saturation-plot" aria-live="polite">${data.saturationSvg === undefined ? '' : trusted(data.saturationSvg)}</div>
</section>
<section class="plot" data-live-id="curves">
<h2>Loss and accuracy</h2>
<div class="svg-frame">${trusted(data.curvesSvg)}</div>
</section>`;
  return page({
    title: `${trial.architecture} ${trial.resolution}px seed ${trial.seed}`,
    body,
    crumbs: [
      { label: data.sweepName, href: `/sweeps/${trial.sweepId}` },
      { label: trial.trialId.slice(0, 8) },
    ],
    live: OPEN.has(trial.status) ? 'watch' : undefined,
  });
}

function facts(t: TrialResult): SafeHtml {
  const items: [string, string][] = [
    ['epochs', `${t.epochs} of ${t.plannedEpochs}`],
    ['test accuracy', percent(t.testAccuracy)],
    ['train accuracy', percent(t.trainAccuracy)],
    ['mean eval saturation', percent(t.meanEvalSaturation)],
    ['mean train saturation', percent(t.meanTrainSaturation)],
    ['attempts', String(t.attempts)],
    ['backend', [t.backend, t.device].filter((x) => x !== null && x !== '').join(' · ') || '–'],
    ['training time', t.seconds === null ? '–' : `${t.seconds.toFixed(1)} s`],
  ];
  return html`<dl class="facts">${items.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}
