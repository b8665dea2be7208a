// Entry of the sandboxed trainer process. BullMQ forks a plain Node process and imports this file, so it
// must be JavaScript: it registers tsx and then loads the TypeScript processor.
import { register } from 'tsx/esm/api';

register();
const { default: processTrial } = await import('./process-trial.ts');

export default processTrial;
