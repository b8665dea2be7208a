import { z } from 'zod';

export const ARCHITECTURES = [
  'simple-cnn',
  'vgg11',
  'vgg13',
  'vgg16',
  'vgg19',
  'resnet18',
  'resnet34',
] as const;
export const ArchitectureName = z.enum(ARCHITECTURES);
export type ArchitectureName = z.infer<typeof ArchitectureName>;

/** Options every architecture understands; depth/kernelSize/baseWidth shape `simple-cnn` only. */
export const ArchitectureOptions = z
  .object({
    widthMultiplier: z.number().positive().max(8).default(1),
    depth: z.number().int().min(1).max(32).optional(),
    kernelSize: z.number().int().min(1).max(15).optional(),
    baseWidth: z.number().int().min(1).max(1024).optional(),
  })
  .strict();
export type ArchitectureOptions = z.infer<typeof ArchitectureOptions>;
