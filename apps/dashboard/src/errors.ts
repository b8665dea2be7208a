/** A dashboard option that cannot work (host, port, database), named with its value. */
export class InvalidDashboardOptionError extends Error {
  override name = 'InvalidDashboardOptionError';
  constructor(
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`${option}: got ${JSON.stringify(value)}; expected ${expected}`);
  }
}

/** A request the dashboard cannot answer as asked (a malformed query parameter). */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}
