// Starting satfarm services as child processes, for tests and benches: `@satfarm/service/testing` only.
export {
  type LogRecord,
  type ServiceProcess,
  type SpawnServiceOptions,
  spawnService,
  startService,
  type StartServiceOptions,
  untilReady,
} from './spawn-service.ts';
