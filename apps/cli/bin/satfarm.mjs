#!/usr/bin/env node
// The published entry runs the TypeScript sources through tsx, so `npx satfarm` works right after
// `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
