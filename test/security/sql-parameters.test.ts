/**
 * Every SQL statement is parameterised. Two checks: a static audit of every `.query(…)` in the apps and
 * packages (the text must be built from literals and constants only; values go in `$n` parameters),
 * and sweep names full of quotes, `;` and `--` through the real CLI (create, results, best, status).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultEvent, TrialConfig } from '@satfarm/contracts';
import { ingestEvents } from '@satfarm/db';
import { sampleEpoch, type TestDatabase } from '@satfarm/db/testing';
import { it } from '@satfarm/db/vitest';
import { type FarmQueues, openFarmQueues } from '@satfarm/queue';
import ts from 'typescript';
import { beforeAll, describe, expect } from 'vitest';
import { satfarm, TEST_REDIS_URL } from '../bad-input/satfarm-cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Queries whose text is not static on purpose, each for a stated reason. */
const DYNAMIC_BY_DESIGN: Record<string, string> = {
  // The numbered migrations: SQL text shipped with the code, not input.
  'packages/db/src/migrate.ts|migration.sql': 'migrations',
  // `satfarm sql`: the user's statement, run as the read-only role (see read-only-sql.test.ts and sql-read-only.test.ts).
  "packages/db/src/read-only-sql.ts|new Cursor<unknown[]>(sql, [], { rowMode: 'array' })":
    'the user statement of satfarm sql',
};

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (entry !== 'node_modules') yield* sourceFiles(path);
    } else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) yield path;
  }
}

/** True when `node` evaluates to SQL text fixed at build time (literals, constants, quoted identifiers). */
function isStatic(node: ts.Expression, file: ts.SourceFile, seen = new Set<string>()): boolean {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true;
  if (ts.isParenthesizedExpression(node)) return isStatic(node.expression, file, seen);
  if (ts.isTemplateExpression(node))
    return node.templateSpans.every((s) => isStatic(s.expression, file, seen));
  if (ts.isConditionalExpression(node)) {
    return isStatic(node.whenTrue, file, seen) && isStatic(node.whenFalse, file, seen);
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return isStatic(node.left, file, seen) && isStatic(node.right, file, seen);
  }
  // DDL cannot take parameters: identifiers and literals are quoted instead.
  if (
    ts.isCallExpression(node) &&
    ['pg.escapeIdentifier', 'pg.escapeLiteral'].includes(node.expression.getText(file))
  )
    return true;
  if (ts.isIdentifier(node)) {
    if (seen.has(node.text)) return false;
    seen.add(node.text);
    const declarations: ts.VariableDeclaration[] = [];
    const find = (n: ts.Node) => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === node.text)
        declarations.push(n);
      ts.forEachChild(n, find);
    };
    find(file);
    // `seen` guards against cycles only: a constant used twice is fine.
    const result =
      declarations.length > 0 &&
      declarations.every(
        (d) =>
          (d.parent.flags & ts.NodeFlags.Const) !== 0 &&
          d.initializer !== undefined &&
          isStatic(d.initializer, file, seen),
      );
    seen.delete(node.text);
    return result;
  }
  return false;
}

/** Every `x.query(text, …)` / `x.query({ text, … })` whose text is not static: `file:line text`. */
function dynamicQueries(): string[] {
  const found: string[] = [];
  const roots = ['apps', 'packages'].flatMap((top) =>
    readdirSync(join(ROOT, top)).map((name) => join(ROOT, top, name, 'src')),
  );
  for (const root of roots) {
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const path of sourceFiles(root)) {
      const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
      const where = relative(ROOT, path);
      const visit = (node: ts.Node) => {
        if (
          ts.isCallExpression(node) &&
          ts.isPropertyAccessExpression(node.expression) &&
          node.expression.name.text === 'query' &&
          node.arguments[0] !== undefined
        ) {
          let text: ts.Expression | undefined = node.arguments[0];
          if (ts.isObjectLiteralExpression(text)) {
            const property = text.properties.find(
              (p): p is ts.PropertyAssignment =>
                ts.isPropertyAssignment(p) && p.name.getText(file) === 'text',
            );
            text = property?.initializer;
          }
          const shown = node.arguments[0].getText(file);
          if (text === undefined || !isStatic(text, file)) {
            if (DYNAMIC_BY_DESIGN[`${where}|${shown}`] === undefined) {
              const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
              found.push(`${where}:${line} ${shown.slice(0, 80)}`);
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
  }
  return found;
}

describe('every SQL statement is parameterised', () => {
  it('builds no query text from run-time values (static audit of apps/*/src and packages/*/src)', () => {
    expect(dynamicQueries()).toEqual([]);
  });

  it('the audit catches a query built from a value', () => {
    const code = `const id = input(); await client.query(\`SELECT * FROM sweeps WHERE id = \${id}\`);`;
    const file = ts.createSourceFile('x.ts', code, ts.ScriptTarget.Latest, true);
    let call: ts.CallExpression | undefined;
    const find = (n: ts.Node) => {
      if (ts.isCallExpression(n) && n.expression.getText(file) === 'client.query') call = n;
      ts.forEachChild(n, find);
    };
    find(file);
    expect(isStatic(call!.arguments[0]!, file)).toBe(false);
  });
});

// ---- end to end: hostile sweep names through the CLI ----

const HOSTILE_NAMES = [
  `Robert'); DROP TABLE trials; -- "bobby"`,
  `x' OR '1'='1' --; DELETE FROM sweeps; /* %_ \\ $1 */`,
];

/** What a worker would publish for a trial that trained one epoch and completed. */
function completedTrial(sweepId: string, trialId: string, config: TrialConfig): ResultEvent[] {
  const at = new Date().toISOString();
  const epoch = sampleEpoch(sweepId, trialId, config, 1);
  return [
    { type: 'started', sweepId, trialId, attempt: 1, worker: 'test', backend: 'wasm', device: 'test', at },
    epoch,
    { type: 'finished', sweepId, trialId, attempt: 1, status: 'completed', at, epochs: [epoch.result] },
  ];
}

let dir: string;
let queues: FarmQueues;
const env = (db: TestDatabase) => ({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-injection-'));
  queues = openFarmQueues({ redisUrl: TEST_REDIS_URL });
});
it.afterAll(async ({ db }) => {
  // The CLI enqueued real jobs on the shared test Redis database: remove exactly those.
  if (queues !== undefined) {
    const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM trials');
    for (const { id } of rows) await queues.trials.remove(id).catch(() => 0);
  }
  await queues?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sweep names with quotes, semicolons and comments, end to end', () => {
  it.for(HOSTILE_NAMES)('are stored and found verbatim: %s', async (name, { db }) => {
    const file = join(dir, `spec-${HOSTILE_NAMES.indexOf(name)}.json`);
    // JSON is YAML: the name needs no YAML quoting this way.
    await writeFile(
      file,
      JSON.stringify({
        name,
        dataset: { name: 'synthetic', trainLimit: 64, testLimit: 32 },
        grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1] },
        training: { epochs: 1, batchSize: 32 },
      }),
    );
    const created = await satfarm(['sweep', 'create', file, '--json'], env(db));
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const { sweepId } = JSON.parse(created.stdout) as { sweepId: string };
    const { rows: trials } = await db.pool.query<{ id: string; config: TrialConfig }>(
      'SELECT id, config FROM trials WHERE sweep_id = $1',
      [sweepId],
    );
    await ingestEvents(db.pool, completedTrial(sweepId, trials[0]!.id, trials[0]!.config));

    // Looked up by that very name, every command finds the one sweep and nothing else.
    const [results, best, status] = await Promise.all([
      satfarm(['results', name, '--format', 'json'], env(db)),
      satfarm(['best', name, '--json'], env(db)),
      satfarm(['sweep', 'status', name, '--json'], env(db)),
    ]);
    for (const run of [results, best, status]) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    expect(JSON.parse(results.stdout).trials).toMatchObject([
      { trialId: trials[0]!.id, status: 'completed' },
    ]);
    expect(JSON.parse(best.stdout).recommendations).toMatchObject([
      { architecture: 'simple-cnn', resolution: 16 },
    ]);
    expect(JSON.parse(status.stdout)).toMatchObject({ sweepId, name, status: 'completed' });

    const { rows } = await db.pool.query<{ name: string }>('SELECT name FROM sweeps WHERE id = $1', [
      sweepId,
    ]);
    expect(rows).toEqual([{ name }]);
  });

  it('left every table in place and matched nothing by accident', async ({ db }) => {
    const { rows } = await db.pool.query<{ sweeps: number; trials: number; epochs: number }>(
      `SELECT (SELECT count(*) FROM sweeps)::int AS sweeps, (SELECT count(*) FROM trials)::int AS trials,
              (SELECT count(*) FROM epoch_metrics)::int AS epochs`,
    );
    expect(rows[0]).toEqual({
      sweeps: HOSTILE_NAMES.length,
      trials: HOSTILE_NAMES.length,
      epochs: HOSTILE_NAMES.length,
    });
    // A classic tautology is a name like any other: no sweep is called that.
    const run = await satfarm(['results', `' OR '1'='1`], env(db));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^satfarm: no sweep matches "' OR '1'='1": /);
  });
});
