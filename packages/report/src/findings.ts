import { type Cell, variantKey, variantLabel, variantsOf } from './cells.ts';
import type { ReportInput } from './report-input.ts';
import { compareIndependent, judgedPts, pctPm } from './stats.ts';

export { productivityFinding } from './layers.ts';

/**
 * (c) How resolution and depth move accuracy, saturation and the tail, and what satfarm recommends;
 * every difference it draws on is judged against the spread over seeds.
 */
export function resolutionFinding(input: ReportInput, cells: readonly Cell[]): string {
  const variants = variantsOf(cells);
  const lines = variants.map(({ key, cells: list }) => {
    const measured = list.filter((c) => c.testAccuracy !== undefined);
    if (measured.length === 0) return `- **${variantLabel(key)}**: no completed trial.`;
    const path = measured
      .map(
        (c) =>
          `${c.resolution} px ${pctPm(c.testAccuracy)} (saturation ${pctPm(c.evalSaturation)}, tail ${
            c.tail ? c.tail.mean.toFixed(1) : '–'
          })`,
      )
      .join('; ');
    const best = measured.reduce((a, b) => (b.testAccuracy!.mean > a.testAccuracy!.mean ? b : a));
    const others = measured.filter((c) => c !== best);
    const indistinct = others.filter(
      (c) => compareIndependent(best.testAccuracy!, c.testAccuracy!).beyondNoise !== true,
    );
    const worse = others.filter(
      (c) => compareIndependent(best.testAccuracy!, c.testAccuracy!).beyondNoise === true,
    );
    const against = (c: Cell) =>
      `${c.resolution} px ${judgedPts(compareIndependent(c.testAccuracy!, best.testAccuracy!))}`;
    const accuracy =
      others.length === 0
        ? ''
        : ` Best mean accuracy at ${best.resolution} px; against it, ${others.map(against).join(', ')}: ` +
          (indistinct.length === 0
            ? 'every other resolution is below it beyond noise'
            : worse.length === 0
              ? 'every other resolution is within noise of it'
              : `${indistinct.map((c) => `${c.resolution} px`).join(', ')} ${indistinct.length === 1 ? 'is' : 'are'} ` +
                `within noise of it, ${worse.map((c) => `${c.resolution} px`).join(', ')} below it beyond noise`) +
          '.';
    const lo = measured[0]!;
    const hi = measured.at(-1)!;
    const saturation =
      lo !== hi && lo.evalSaturation && hi.evalSaturation
        ? ` Mean eval saturation from ${lo.resolution} to ${hi.resolution} px: ${judgedPts(compareIndependent(hi.evalSaturation, lo.evalSaturation))}.`
        : '';
    const rec = input.recommendations.find((r) => variantKey(r) === variantKey(key));
    const tried = list.map((c) => c.resolution);
    const cheapestWithinNoise = [...indistinct, best].sort((a, b) => a.resolution - b.resolution)[0]!;
    const recommendation =
      rec === undefined
        ? ''
        : ` satfarm recommends **${rec.cheapestResolution} px** (the smallest within ${(rec.tolerance * 100).toFixed(1)} ` +
          `points of the best mean)` +
          (cheapestWithinNoise.resolution < rec.cheapestResolution
            ? `; by the seeds' spread the smallest resolution within noise of the best is ${cheapestWithinNoise.resolution} px, ` +
              'so the data do not single out the recommendation'
            : '') +
          '. ' +
          rfSentence(rec.rfPredictedResolution, rec.cheapestResolution, tried);
    return `- **${variantLabel(key)}** — ${path}.${accuracy}${saturation}${recommendation}`;
  });
  return [...lines, ...depthLines(variants)].join('\n');
}

/** What receptive-field analysis predicts, and whether this sweep can test it. */
function rfSentence(predicted: number | null, recommended: number, tried: readonly number[]): string {
  if (predicted === null)
    return 'Receptive-field analysis finds no resolution without unproductive conv layers.';
  const max = Math.max(...tried);
  const min = Math.min(...tried);
  if (predicted > max) {
    return (
      `Receptive-field analysis puts the smallest resolution without unproductive conv layers at ${predicted} px, ` +
      `above every resolution tried (largest ${max} px): every tried resolution leaves border layers, so this sweep ` +
      'cannot test that prediction.'
    );
  }
  if (predicted <= min) {
    return (
      `Receptive-field analysis predicts no unproductive conv layer at any tried resolution (from ${predicted} px), ` +
      `so it does not speak to the choice between them.`
    );
  }
  const first = tried.filter((r) => r >= predicted).sort((a, b) => a - b)[0];
  return (
    `Receptive-field analysis predicts no unproductive conv layer from ${predicted} px (${first} px among those tried): ` +
    `${first === recommended ? 'agreement' : 'disagreement'} with the recommendation.`
  );
}

/** Depth (or any option) at equal resolution: each further variant of an architecture against the first. */
function depthLines(variants: ReturnType<typeof variantsOf>): string[] {
  const byArchitecture = new Map<string, typeof variants>();
  for (const v of variants) {
    const list = byArchitecture.get(v.key.architecture) ?? [];
    list.push(v);
    byArchitecture.set(v.key.architecture, list);
  }
  const lines: string[] = [];
  for (const list of byArchitecture.values()) {
    const base = list[0];
    if (base === undefined) continue;
    for (const other of list.slice(1)) {
      const pairs = other.cells.flatMap((c) => {
        const b = base.cells.find((x) => x.resolution === c.resolution);
        return b?.testAccuracy && c.testAccuracy
          ? [{ r: c.resolution, d: compareIndependent(c.testAccuracy, b.testAccuracy) }]
          : [];
      });
      if (pairs.length === 0) continue;
      const beyond = pairs.filter((p) => p.d.beyondNoise === true);
      lines.push(
        `- **${other.key.variant} against ${base.key.variant}** (${other.key.architecture}, test accuracy at equal resolution): ` +
          pairs.map((p) => `${p.r} px ${judgedPts(p.d)}`).join('; ') +
          `. Beyond noise at ${beyond.length} of ${pairs.length} resolutions.`,
      );
    }
  }
  return lines;
}
