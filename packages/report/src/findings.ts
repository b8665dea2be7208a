import { pct } from './markdown.ts';
import type { ReportInput } from './report-input.ts';

const group = (r: { architecture: string; variant: string }) => `${r.architecture} (${r.variant})`;

/** (b) Mean saturation of conv layers predicted unproductive vs the others, where both kinds exist. */
export function productivityFinding(input: ReportInput): string {
  const keys = [...new Set(input.productivity.map((p) => `${group(p)}@${p.resolution}`))];
  const pairs = keys
    .map((key) => {
      const rows = input.productivity.filter((p) => `${group(p)}@${p.resolution}` === key);
      const bad = rows.find((r) => r.unproductive);
      const good = rows.find((r) => !r.unproductive);
      return bad && good ? { key, bad: bad.meanEvalSaturation, good: good.meanEvalSaturation } : undefined;
    })
    .filter((p) => p !== undefined);
  if (pairs.length === 0) {
    return 'No (architecture, resolution) group has both productive and unproductive conv layers, so the prediction cannot be checked on this sweep.';
  }
  const lower = pairs.filter((p) => p.bad < p.good);
  const list = pairs
    .map((p) => `${p.key.replace('@', ' at ')} px: ${pct(p.bad)} vs ${pct(p.good)}`)
    .join('; ');
  return (
    `**${lower.length === pairs.length ? 'Yes' : lower.length === 0 ? 'No' : 'Partly'}.** In ${lower.length} of ` +
    `${pairs.length} groups with both kinds, conv layers predicted unproductive had a lower mean eval saturation ` +
    `than the productive ones (unproductive vs productive: ${list}).`
  );
}

/** (c) How resolution and depth move accuracy, saturation and the tail; what satfarm recommends. */
export function resolutionFinding(input: ReportInput): string {
  return input.recommendations
    .map((rec) => {
      const rows = input.summary
        .filter((s) => s.architecture === rec.architecture && s.variant === rec.variant)
        .sort((a, b) => a.resolution - b.resolution);
      const path = rows
        .map((r) => {
          const tail = rec.tailLengths.find((t) => t.resolution === r.resolution)?.meanTailLength;
          return `${r.resolution} px: ${pct(r.meanTestAccuracy)} accuracy, ${pct(r.meanEvalSaturation)} mean saturation, tail ${tail?.toFixed(1) ?? '–'}`;
        })
        .join('; ');
      return (
        `- **${group(rec)}** — ${path}. Recommended: **${rec.cheapestResolution} px** (best ${rec.resolution} px at ` +
        `${pct(rec.meanTestAccuracy, 2)}; ${rec.cheapestResolution} px is the smallest within ${(rec.tolerance * 100).toFixed(1)} points). ` +
        `Receptive fields predicted ≥ ${rec.rfPredictedResolution ?? '?'} px (${rec.rfPredictedTriedResolution ?? '?'} px ` +
        `among those tried): ${rec.agree ? 'agreement' : 'disagreement'}.`
      );
    })
    .join('\n');
}
