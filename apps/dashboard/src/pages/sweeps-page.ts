import { html } from '../html.ts';
import type { SweepListItem } from '../queries.ts';
import { page } from './layout.ts';
import { progress, statusBadge, when } from './parts.ts';

/** `/`: every sweep, newest first, with live progress. */
export function sweepsPage(sweeps: readonly SweepListItem[]): string {
  const rows = sweeps.map(
    (s) => html`<tr class="sweep-row" data-sweep="${s.id}">
  <td><a class="sweep-name" href="/sweeps/${s.id}">${s.name}</a><div class="id">${s.id.slice(0, 8)}</div></td>
  <td>${statusBadge(s.status)}</td>
  <td class="wide">${progress(s)}</td>
  <td class="num">${s.trialCount}</td>
  <td class="when">${when(s.createdAt)}</td>
</tr>`,
  );
  const body =
    sweeps.length === 0
      ? html`<h1>Sweeps</h1><p class="empty">No sweeps yet. Start one with <code>satfarm sweep create SPEC.yaml</code> (or <code>satfarm demo</code>).</p>`
      : html`<h1>Sweeps</h1>
<table class="sweeps">
<thead><tr><th>sweep</th><th>status</th><th>progress</th><th class="num">trials</th><th>created</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
  return page({
    title: 'sweeps',
    body: html`<section data-live-id="sweep-list">${body}</section>`,
    live: 'list',
  });
}
