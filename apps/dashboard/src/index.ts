export { InvalidDashboardOptionError } from './errors.ts';
export { listSweeps, type SweepListItem } from './queries.ts';
export {
  type Dashboard,
  type DashboardLogger,
  type DashboardOptions,
  startDashboard,
} from './start-dashboard.ts';
