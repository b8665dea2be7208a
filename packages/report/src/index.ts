export { productivityFinding, projectionFinding, resolutionFinding } from './findings.ts';
export { renderReport } from './render-report.ts';
export type { ReportInput } from './report-input.ts';
