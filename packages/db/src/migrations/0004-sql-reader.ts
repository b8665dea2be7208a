import type { Migration } from './migration.ts';

/**
 * Where `satfarm sql` keeps the credentials of the role it runs users' statements as (see
 * sql-reader.ts). A schema of its own with no grants to PUBLIC: the reader role itself, and anyone
 * else who may only read the results, cannot see the password.
 */
export const sqlReader: Migration = {
  version: 4,
  name: 'sql-reader',
  sql: /* sql */ `
CREATE SCHEMA satfarm_private;
REVOKE ALL ON SCHEMA satfarm_private FROM PUBLIC;
COMMENT ON SCHEMA satfarm_private IS 'satfarm internals that readers of the results must not see.';

CREATE TABLE satfarm_private.sql_reader (
  role       text PRIMARY KEY,
  password   text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE satfarm_private.sql_reader IS
  'The login of the non-superuser role that satfarm sql runs statements as; rotated when it stops working.';
`,
};
