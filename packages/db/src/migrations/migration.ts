/** One schema change. Never edit a migration that has shipped: add the next number instead. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
