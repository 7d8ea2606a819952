import type { ImportRowError } from './report';

/**
 * Why a row was refused, with its English sentence. Pages word the same code and parameters
 * through `imports.rowProblems.<code>`; a report without a code (an older one) keeps its message.
 */
const ROW_PROBLEMS = {
  cellCount: (p: { expected: number; found: number }) =>
    `expected ${p.expected} cells, found ${p.found}`,
  formula: (p: { column: string; value: string }) =>
    `formula-like cell in "${p.column}": ${p.value} is refused`,
  xlsxFormula: (p: { cell: string }) => `${p.cell}: formulas are not accepted`,
  doubleEncoded: (p: { column: string; value: string }) =>
    `the cell "${p.column}" reads ${p.value}: the file was encoded twice (Ã¨ for è); use the file as published, or save it once as UTF-8`,
  istatLeadingZeros: (p: { code: string }) =>
    `code "${p.code}" has lost its leading zeros: ISTAT codes have six digits`,
  istatCode: (p: { code: string }) => `code "${p.code}" is not a six-digit ISTAT code`,
  nutsCode: (p: { code: string; level: string }) =>
    `"${p.code}" is not a NUTS level-${p.level} code`,
  escoUri: (p: { uri: string }) => `"${p.uri}" is not an ESCO skill URI`,
  duplicate: (p: { code: string; first: number }) =>
    `duplicate code ${p.code} (first on line ${p.first})`,
  duplicateConcept: (p: { uri: string; first: number }) =>
    `duplicate concept ${p.uri} (first on line ${p.first})`,
  nameLength: (p: { max: number }) => `the name is empty or longer than ${p.max} characters`,
  labelLength: (p: { max: number }) =>
    `the preferred label is empty or longer than ${p.max} characters`,
  descriptionLength: (p: { max: number }) => `the description is longer than ${p.max} characters`,
  unknownNuts3: (p: { code: string }) =>
    `unknown parent: NUTS-3 "${p.code}" is not a known territory`,
  unknownNuts3of2021: (p: { code: string }) => `unknown NUTS-3 2021 "${p.code}"`,
  unknownParent: (p: { code: string }) => `unknown parent "${p.code}"`,
  parentMismatch: (p: { parent: string; code: string }) =>
    `parent "${p.parent}" does not match code ${p.code}`,
  cadastral: (p: { code: string }) => `cadastral code "${p.code}" is not like A074`,
  noRows: () => 'the file has a header but no rows',
  badDate: (p: { date: string }) => `bad date ${p.date}`,
  badArea: (p: { area: string }) => `bad area code ${p.area}`,
  badVersion: (p: { version: string }) => `version must look like NUTS2024 (got ${p.version})`,
  olderVersion: (p: { version: string; date: string; loaded: string }) =>
    `${p.version} (${p.date}) is older than the NUTS data already loaded (${p.loaded}): import NUTS versions oldest first`,
  moreErrors: (p: { count: number }) => `… and ${p.count} more errors`,
};

export type RowProblem = keyof typeof ROW_PROBLEMS;
export type RowParams<C extends RowProblem> = Parameters<(typeof ROW_PROBLEMS)[C]>[0];

/** A refused row: its code and parameters, and the English message they make. */
export function rowError<C extends RowProblem>(
  line: number,
  code: C,
  ...[params]: RowParams<C> extends undefined ? [] : [RowParams<C>]
): ImportRowError {
  const message = (ROW_PROBLEMS[code] as (p: unknown) => string)(params);
  return params ? { line, message, code, params } : { line, message, code };
}
