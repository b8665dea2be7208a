export { type CostLayer, forwardMacs } from './cost-estimate.ts';
export { productivityFinding, resolutionFinding } from './findings.ts';
export { layerFlips } from './layers.ts';
export { projectionFinding, projectionSection } from './projection-section.ts';
export { renderReport } from './render-report.ts';
export type {
  CostEstimateInput,
  ProjectionTestRow,
  ReportEpoch,
  ReportInput,
  ReportLayer,
  ReportProjection,
  ReportTrial,
} from './report-input.ts';
