/** A CSV file that is not a numeric matrix: the message names the line and column. */
export class MatrixCsvError extends Error {
  override readonly name = 'MatrixCsvError';
}

export interface Matrix {
  rows: number;
  columns: number;
  /** Row-major, rows × columns. */
  data: Float64Array;
  header: string[] | undefined;
}

/**
 * Parses comma-separated numbers, one sample per line. A first line that is not all numbers is a header.
 * Blank lines are skipped; every data line must have the same number of fields.
 */
export function parseMatrixCsv(text: string, source: string): Matrix {
  const lines = text.split(/\r?\n/);
  const values: number[] = [];
  let columns = -1;
  let rows = 0;
  let header: string[] | undefined;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(',').map((f) => f.trim());
    const numbers = fields.map((f) => (f === '' ? Number.NaN : Number(f)));
    if (rows === 0 && header === undefined && numbers.every((n) => Number.isNaN(n))) {
      header = fields;
      columns = fields.length;
      return;
    }
    if (columns === -1) columns = fields.length;
    if (fields.length !== columns) {
      throw new MatrixCsvError(
        `${source}: line ${i + 1} has ${fields.length} fields; expected ${columns} like the lines before it`,
      );
    }
    numbers.forEach((n, c) => {
      if (!Number.isFinite(n)) {
        throw new MatrixCsvError(
          `${source}: line ${i + 1}, column ${c + 1}: ${JSON.stringify(fields[c])} is not a finite number`,
        );
      }
      values.push(n);
    });
    rows++;
  });
  if (rows === 0)
    throw new MatrixCsvError(
      `${source}: no data rows; expected comma-separated numbers, one sample per line`,
    );
  return { rows, columns, data: Float64Array.from(values), header };
}
