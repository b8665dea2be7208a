export { productivityFinding, resolutionFinding } from './findings.ts';
export { projectionFinding, projectionSection } from './projection-section.ts';
export { renderReport } from './render-report.ts';
export type { ProjectionTestRow, ReportInput } from './report-input.ts';
