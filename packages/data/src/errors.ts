import { InvalidValueError } from '@satfarm/contracts';
/**
 * Errors raised by the data package. Each names the file or option at fault and what would be
 * valid, so the CLI and the worker can show the message as-is.
 * (Plain fields rather than constructor parameter properties, so the files stay erasable TypeScript.)
 */

/** A dataset directory or file is missing. `hint` says how to get it. */
export class DatasetNotFoundError extends Error {
  override readonly name = 'DatasetNotFoundError';
  readonly path: string;
  readonly hint: string;
  constructor(path: string, reason: string, hint: string, options?: ErrorOptions) {
    super(`Dataset not found: '${path}' ${reason}; ${hint}`, options);
    this.path = path;
    this.hint = hint;
  }
}

/** A dataset file exists but cannot be decoded (bad gzip, wrong magic, truncated, bad label). */
export class DatasetCorruptError extends Error {
  override readonly name = 'DatasetCorruptError';
  readonly file: string;
  readonly reason: string;
  constructor(file: string, reason: string, options?: ErrorOptions) {
    super(`Dataset file '${file}' is corrupt: ${reason}`, options);
    this.file = file;
    this.reason = reason;
  }
}

/** An images file and its labels file disagree on how many examples they hold. */
export class DatasetCountMismatchError extends Error {
  override readonly name = 'DatasetCountMismatchError';
  readonly imagesFile: string;
  readonly labelsFile: string;
  readonly imageCount: number;
  readonly labelCount: number;
  constructor(imagesFile: string, imageCount: number, labelsFile: string, labelCount: number) {
    super(
      `'${imagesFile}' holds ${imageCount} images but '${labelsFile}' holds ${labelCount} labels; ` +
        `they must hold the same number (are the files from the same split and release?)`,
    );
    this.imagesFile = imagesFile;
    this.labelsFile = labelsFile;
    this.imageCount = imageCount;
    this.labelCount = labelCount;
  }
}

/** An option (limit, resolution, count, index, directory) is missing or out of range. */
export class InvalidDatasetOptionError extends InvalidValueError {
  override readonly name = 'InvalidDatasetOptionError';
}
