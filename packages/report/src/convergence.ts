import { type Cell, cellKey, variantLabel } from './cells.ts';
import { mdTable } from './markdown.ts';
import type { ReportEpoch, ReportInput } from './report-input.ts';
import {
  comparePaired,
  type Difference,
  groupBy,
  judgedPts,
  noiseWord,
  pctPm,
  pts,
  summarize,
} from './stats.ts';

/** Epochs averaged on each side of the late-gain comparison. */
const WINDOW = 2;

export interface CellConvergence {
  cell: Cell;
  epochs: number;
  /** Mean test accuracy over seeds at each epoch (index 0 = epoch 1). */
  curve: number[];
  /** Per trial: mean test accuracy of the last WINDOW epochs minus that of the WINDOW before. */
  lateGain: Difference | undefined;
  /** The same for training accuracy. */
  trainLateGain: Difference | undefined;
  finalTrain: ReturnType<typeof summarize>;
}

/** How much each cell still gained at the end of training, judged against the seeds' spread. */
export function convergenceOf(input: ReportInput, cells: readonly Cell[]): CellConvergence[] {
  return cells.flatMap((cell) => {
    const rows = input.epochs.filter((e) => cellKey(e) === cellKey(cell));
    const trials = [...groupBy(rows, (e) => e.trialId).values()].map((list) =>
      [...list].sort((a, b) => a.epoch - b.epoch),
    );
    if (trials.length === 0) return [];
    const epochs = Math.min(...trials.map((t) => t.length));
    const curve = Array.from({ length: epochs }, (_, i) => mean(trials.map((t) => t[i]!.testAccuracy)));
    const gain = (pick: (e: ReportEpoch) => number) =>
      epochs >= 2 * WINDOW
        ? comparePaired(
            trials.map(
              (t) =>
                mean(t.slice(epochs - WINDOW, epochs).map(pick)) -
                mean(t.slice(epochs - 2 * WINDOW, epochs - WINDOW).map(pick)),
            ),
          )
        : undefined;
    return [
      {
        cell,
        epochs,
        curve,
        lateGain: gain((e) => e.testAccuracy),
        trainLateGain: gain((e) => e.trainAccuracy),
        finalTrain: summarize(trials.map((t) => t[epochs - 1]!.trainAccuracy)),
      },
    ];
  });
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A cell's test accuracy still rose (beyond noise) over the last epochs. */
const stillRising = (c: CellConvergence) => c.lateGain?.beyondNoise === true && c.lateGain.diff > 0;

/** The convergence paragraph and table. */
export function convergenceSection(input: ReportInput, cells: readonly Cell[]): string[] {
  const rows = convergenceOf(input, cells);
  if (rows.length === 0) return [];
  const epochs = Math.max(...rows.map((r) => r.epochs));
  const summary = convergenceSummary(rows, epochs);
  return [
    '## Convergence',
    '',
    summary,
    '',
    mdTable(
      [
        'architecture',
        'variant',
        'resolution',
        'n',
        ...Array.from({ length: epochs }, (_, i) => `e${i + 1}`),
        `test: last ${WINDOW} − ${WINDOW} before`,
        'train acc, last epoch',
        `train: last ${WINDOW} − ${WINDOW} before`,
      ],
      rows.map((r) => [
        r.cell.architecture,
        r.cell.variant,
        r.cell.resolution,
        r.cell.n,
        ...Array.from({ length: epochs }, (_, i) => {
          const v = r.curve[i];
          return v === undefined ? '–' : (v * 100).toFixed(1);
        }),
        r.lateGain ? judgedPts(r.lateGain) : '–',
        pctPm(r.finalTrain),
        r.trainLateGain ? `${pts(r.trainLateGain.diff)} (${noiseWord(r.trainLateGain)})` : '–',
      ]),
    ),
    '',
    `e1…e${epochs}: test accuracy (%) after each epoch, mean over seeds. The gains are paired within each trial ` +
      `(mean over seeds; 2 SE = twice the standard error of that mean).`,
    '',
  ];
}

function convergenceSummary(rows: readonly CellConvergence[], epochs: number): string {
  const judged = rows.filter((r) => r.lateGain !== undefined);
  if (judged.length === 0)
    return `Too few epochs (${epochs}) to compare the last ${WINDOW} with the ${WINDOW} before.`;
  const gains = judged.map((r) => r.lateGain!.diff);
  const rising = judged.filter(stillRising);
  const falling = judged.filter((r) => r.lateGain!.beyondNoise === true && r.lateGain!.diff < 0);
  const where = (list: readonly CellConvergence[]) =>
    list.map((r) => `${variantLabel(r.cell)} at ${r.cell.resolution} px`).join('; ');
  const test =
    `Test accuracy of the last ${WINDOW} epochs against the ${WINDOW} before (per trial, then the mean over seeds) ` +
    `moved by ${pts(Math.min(...gains))} to ${pts(Math.max(...gains))}, median ${pts(median(gains))}; ` +
    (rising.length === 0
      ? `in none of the ${judged.length} cells was a rise beyond noise, so by this measure the test curves had flattened`
      : `the rise was beyond noise in ${rising.length} of ${judged.length} cells (${where(rising)}), which had not flattened`) +
    (falling.length > 0 ? `; it fell beyond noise in ${where(falling)}` : '') +
    '.';
  const train = judged.filter((r) => r.trainLateGain !== undefined);
  const trainRising = train.filter((r) => r.trainLateGain!.beyondNoise === true && r.trainLateGain!.diff > 0);
  const trainGains = train.map((r) => r.trainLateGain!.diff);
  const trainText =
    train.length === 0
      ? ''
      : ` Training accuracy moved by ${pts(Math.min(...trainGains))} to ${pts(Math.max(...trainGains))} over the same ` +
        `epochs, beyond noise in ${trainRising.length} of ${train.length} cells` +
        (trainRising.length > 0
          ? ': those networks were still fitting their training images, so a flat test curve there means test ' +
            'accuracy had stopped improving measurably, not that training had converged.'
          : '.');
  return test + trainText;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
