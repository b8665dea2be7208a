export { type BuiltModel, buildModel } from './build-model.ts';
