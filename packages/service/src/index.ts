export { type Closable, runService } from './run-service.ts';
