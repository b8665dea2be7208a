export { parseMatrixCsv, MatrixCsvError, type Matrix } from './matrix-csv.ts';
