/**
 * Imports a package that may not be installed (tfjs-node, webgpu). The specifier is a variable so
 * that neither TypeScript nor a bundler tries to resolve it ahead of time.
 */
export async function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

/** One line on why an optional import failed: "not installed", or the loader's own message. */
export function describeImportFailure(specifier: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    message.includes(`'${specifier}'`)
  ) {
    return `'${specifier}' is not installed`;
  }
  return `'${specifier}' failed to load: ${message.split('\n')[0]}`;
}
