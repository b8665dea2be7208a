import { readFile } from 'node:fs/promises';
import { parseSweepSpec, type SweepSpec } from '@satfarm/contracts';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UsageError } from './errors.ts';

/** Reads a sweep spec (YAML or JSON, which is YAML too) and validates it; nothing is written yet. */
export async function readSpecFile(path: string): Promise<SweepSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new UsageError(`cannot read sweep spec ${path}: ${(cause as NodeJS.ErrnoException).code ?? cause}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0]
        ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`
        : '';
      throw new UsageError(`${path}: not valid YAML${where}: ${error.message.split('\n')[0]}`);
    }
    // The parser's other refusals (e.g. an alias bomb: "Excessive alias count…") are about the file too.
    if (error instanceof Error) throw new UsageError(`${path}: not a usable YAML file: ${error.message}`);
    throw error;
  }
  try {
    return parseSweepSpec(raw);
  } catch (error) {
    if (error instanceof Error) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}
