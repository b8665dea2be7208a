import type { TrialConfig } from './trial-config.ts';

/**
 * Architecture options other than resolution and seed, as `key=value` joined by commas
 * (`widthMultiplier=0.25,depth=4`): summaries group by it so different widths are never averaged together.
 */
export function variantOf(config: TrialConfig): string {
  const parts = [`widthMultiplier=${config.widthMultiplier}`];
  if (config.depth !== undefined) parts.push(`depth=${config.depth}`);
  if (config.kernelSize !== undefined) parts.push(`kernelSize=${config.kernelSize}`);
  if (config.baseWidth !== undefined) parts.push(`baseWidth=${config.baseWidth}`);
  return parts.join(',');
}
