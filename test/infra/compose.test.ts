/**
 * docker-compose.yml and infra/docker/Dockerfile against the code, without a container engine (none
 * runs on these machines, so no image is built and no container started here). What is checked is
 * what the code expects of them: every environment variable set is one the CLI reads, every service
 * command is a command of the CLI the image's ENTRYPOINT runs, the services find each other on the
 * hosts, ports and credentials that infra/redis and infra/postgres configure, start in an order that
 * can work, and the image holds what the entrypoint needs and can write its checkpoints. Where a
 * compose client is installed, its own `config` must accept the file and resolve it as read here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { DEFAULT_FASHION_MNIST_DIR } from '@satfarm/data';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readEnv } from '../../apps/cli/src/env.ts';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// ---------------------------------------------------------------------------------------------------
// docker-compose.yml, read with YAML merge keys (`<<: *satfarm`) as compose resolves them.

interface Service {
  build?: { context: string; dockerfile: string };
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | null> | string[];
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }> | string[];
  restart?: string;
  profiles?: string[];
  container_name?: string;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

function environmentOf(s: Service): Record<string, string> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => [e.split('=')[0]!, e.slice(e.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

const commandOf = (s: Service): string[] =>
  typeof s.command === 'string' ? s.command.split(/\s+/).filter(Boolean) : (s.command ?? []);

const dependenciesOf = (s: Service): Record<string, string> =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((d) => [d, 'service_started']))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([d, c]) => [d, c.condition]));

/** `source:target[:mode]` of one volume entry. */
function mountOf(entry: string): { source: string; target: string } {
  const [source, target] = entry.split(':');
  return { source: source!, target: target! };
}

const mountTarget = (s: Service, source: string): string | undefined =>
  (s.volumes ?? []).map(mountOf).find((m) => m.source === source)?.target;

/** `[host_ip:]host_port:container_port` of one port entry. */
function portOf(entry: string): { hostIp: string | undefined; host: number; container: number } {
  const parts = entry.split('/')[0]!.split(':');
  const container = Number(parts.at(-1));
  const host = Number(parts.at(-2));
  return { hostIp: parts.length === 3 ? parts[0] : undefined, host, container };
}

const healthcheckOf = (s: Service): string[] => {
  const test = s.healthcheck?.test ?? [];
  return typeof test === 'string' ? ['CMD-SHELL', test] : test;
};

/** Services whose image is the repository's Dockerfile: every satfarm role. */
const satfarmServices = Object.entries(services)
  .filter(([, s]) => s.build?.dockerfile === 'infra/docker/Dockerfile')
  .map(([name]) => name);

// ---------------------------------------------------------------------------------------------------
// infra/docker/Dockerfile: instructions with continuation lines joined, comments dropped.

const dockerfile = read('infra/docker/Dockerfile');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
const instructionsOf = (keyword: string) => instructions.filter((i) => i.keyword === keyword);
const indexOf = (keyword: string, test: (args: string) => boolean = () => true) =>
  instructions.findIndex((i) => i.keyword === keyword && test(i.args));

const imageEnv: Record<string, string> = Object.fromEntries(
  instructionsOf('ENV').flatMap((i) =>
    i.args
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => [pair.split('=')[0]!, pair.slice(pair.indexOf('=') + 1).replace(/^"(.*)"$/, '$1')]),
  ),
);
const workdir = instructionsOf('WORKDIR').at(-1)?.args ?? '/';
const entrypoint = JSON.parse(instructionsOf('ENTRYPOINT').at(-1)?.args ?? '[]') as string[];
const runtimeUser = instructionsOf('USER').at(-1)?.args;

/** `[--flag…] src… dest` of one COPY, sources relative to the build context. */
const copies = instructionsOf('COPY').map((i) => {
  const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
  return { sources: words.slice(0, -1), dest: words.at(-1)! };
});

// ---------------------------------------------------------------------------------------------------
// infra/redis/redis.conf and infra/postgres/postgresql.conf, `key value` / `key = value` lines.

function settings(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const match = /^([\w.-]+)\s*(?:=\s*|\s+)(.*)$/.exec(line);
    if (match)
      map.set(
        match[1]!,
        match[2]!
          .trim()
          .replace(/^'(.*)'$/, '$1')
          .replace(/^"(.*)"$/, '$1'),
      );
  }
  return map;
}
const redisConf = settings(read('infra/redis/redis.conf'));
const postgresConf = settings(read('infra/postgres/postgresql.conf'));
const redisPort = Number(redisConf.get('port') ?? 6379);
const postgresPort = Number(postgresConf.get('port') ?? 5432);

// ---------------------------------------------------------------------------------------------------
// The CLI as the image runs it: the ENTRYPOINT, from the repository root (the image's WORKDIR).

/** `satfarm WORDS… --help` through the ENTRYPOINT; its usage line names the command it resolved to. */
function cliHelp(words: readonly string[]): { status: number | null; text: string } {
  const [program, ...args] = entrypoint;
  const run = spawnSync(program === 'node' ? process.execPath : program!, [...args, ...words, '--help'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, text: `${run.stdout}${run.stderr}` };
}

/**
 * Checks that `args` is a command line the CLI accepts: the leading words name a command (not a group
 * of commands) whose usage allows the remaining operands, and every `--option` is one of its options,
 * taking a value where one follows.
 */
function expectCliCommand(args: readonly string[], where: string): void {
  const firstOption = args.findIndex((a) => a.startsWith('-'));
  const words = firstOption < 0 ? [...args] : args.slice(0, firstOption);
  const help = cliHelp(words);
  expect(help.status, `${where}: satfarm ${words.join(' ')} --help\n${help.text}`).toBe(0);
  const usage = /^Usage: satfarm (.*)$/m.exec(help.text)?.[1] ?? '';
  expect(usage, `${where}: satfarm ${words.join(' ')} is a group of commands, not one`).not.toMatch(
    /\[command\]/,
  );
  const [path = '', argumentSpec = ''] = usage.split(' [options]');
  const commandWords = path.split(' ').filter(Boolean);
  expect(words.slice(0, commandWords.length), `${where}: no command "satfarm ${words.join(' ')}"`).toEqual(
    commandWords,
  );
  const operands = words.slice(commandWords.length);
  const required = (argumentSpec.match(/<[^>]+>/g) ?? []).length;
  const optional = (argumentSpec.match(/\[[^\]]+\]/g) ?? []).length;
  expect(
    operands.length,
    `${where}: operands ${JSON.stringify(operands)} for "${usage}"`,
  ).toBeGreaterThanOrEqual(required);
  expect(
    operands.length,
    `${where}: operands ${JSON.stringify(operands)} for "${usage}"`,
  ).toBeLessThanOrEqual(required + optional);
  const options = firstOption < 0 ? [] : args.slice(firstOption);
  options.forEach((option, i) => {
    if (!option.startsWith('--')) return;
    const line = new RegExp(`^\\s+(?:-\\w, )?${option}( <[^>]+>| \\[[^\\]]+\\])?\\s`, 'm').exec(help.text);
    expect(line, `${where}: "satfarm ${commandWords.join(' ')}" has no option ${option}`).not.toBeNull();
    const next = options[i + 1];
    const takesValue = line?.[1] !== undefined;
    expect(takesValue, `${where}: ${option} ${takesValue ? 'needs a value' : 'takes no value'}`).toBe(
      next !== undefined && !next.startsWith('-'),
    );
  });
}

// ---------------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('runs redis, postgres, a migrate step, scalable workers and the aggregator', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['redis', 'postgres', 'migrate', 'worker', 'aggregator']),
    );
    expect(satfarmServices).toEqual(expect.arrayContaining(['migrate', 'worker', 'aggregator']));
    expect(commandOf(service('worker'))[0]).toBe('worker');
    expect(commandOf(service('aggregator'))).toEqual(['aggregator']);
    expect(commandOf(service('migrate'))).toEqual(['db', 'migrate']);
    // `--scale worker=N` needs a worker without a fixed container name or published port.
    expect(service('worker').container_name).toBeUndefined();
    expect(service('worker').ports).toBeUndefined();
  });

  it('builds every satfarm image from the repository Dockerfile, with checkpoints in PostgreSQL and no shared volume', () => {
    for (const name of satfarmServices) {
      const s = service(name);
      expect(existsSync(join(root, s.build!.context, s.build!.dockerfile))).toBe(true);
      expect(s.image, name).toBe('satfarm:local');
      // Workers on any machine share the database, not a file system: `--scale worker=N` needs no volume.
      expect({ ...imageEnv, ...environmentOf(s) }['CHECKPOINT_STORE'], name).toBe('postgres');
      expect(mountTarget(s, 'checkpoints'), `${name}: a checkpoints volume`).toBeUndefined();
    }
    expect(Object.keys(compose.volumes ?? {})).not.toContain('checkpoints');
  });

  it('sets only environment variables the CLI reads, each one reaching its settings', () => {
    // The satfarm image's entry is the CLI, which parses its environment once (apps/cli/src/env.ts).
    // A variable counts as read when setting it changes what readEnv returns. NODE_ENV is the
    // Node.js convention for libraries, not a satfarm setting.
    const notSatfarms = new Set(['NODE_ENV']);
    const unset = readEnv({});
    const seen = new Set<string>();
    for (const name of satfarmServices) {
      const env = { ...imageEnv, ...environmentOf(service(name)) };
      expect(() => readEnv(env), `${name}: the CLI refuses its environment`).not.toThrow();
      for (const [variable, value] of Object.entries(env)) {
        if (notSatfarms.has(variable) || seen.has(variable)) continue;
        seen.add(variable);
        const probe = value === '' ? 'x' : `${value}-probe`;
        expect(
          readEnv({ [variable]: probe }),
          `${name}: ${variable} is read by nothing in satfarm`,
        ).not.toEqual(unset);
        expect(Object.values(readEnv({ [variable]: probe })), `${name}: ${variable}`).toContain(probe);
      }
    }
    expect([...seen]).toEqual(
      expect.arrayContaining(['REDIS_URL', 'DATABASE_URL', 'CHECKPOINT_STORE', 'CHECKPOINT_DIR']),
    );
  });

  it('points satfarm at Redis and PostgreSQL as infra/redis and infra/postgres configure them', () => {
    const postgres = service('postgres');
    const pgEnv = environmentOf(postgres);
    for (const name of satfarmServices) {
      const env = environmentOf(service(name));
      expect(Object.keys(env), name).toEqual(expect.arrayContaining(['REDIS_URL', 'DATABASE_URL']));
      const redisUrl = new URL(env['REDIS_URL']!);
      expect(redisUrl.hostname, name).toBe('redis');
      expect(Number(redisUrl.port || 6379), `${name}: REDIS_URL port vs redis.conf`).toBe(redisPort);
      if (redisConf.has('requirepass')) expect(redisUrl.password, name).toBe(redisConf.get('requirepass'));
      const databaseUrl = new URL(env['DATABASE_URL']!);
      expect(databaseUrl.hostname, name).toBe('postgres');
      expect(Number(databaseUrl.port || 5432), `${name}: DATABASE_URL port vs postgresql.conf`).toBe(
        postgresPort,
      );
      expect(decodeURIComponent(databaseUrl.username), name).toBe(pgEnv['POSTGRES_USER']);
      expect(decodeURIComponent(databaseUrl.password), name).toBe(pgEnv['POSTGRES_PASSWORD']);
      expect(databaseUrl.pathname, name).toBe(`/${pgEnv['POSTGRES_DB']}`);
    }
  });

  it('runs Redis and PostgreSQL with the repository configs, reachable, healthy and local to the host', () => {
    const redis = service('redis');
    const redisConfAt = mountTarget(redis, './infra/redis/redis.conf');
    expect(redisConfAt).toBeDefined();
    expect(commandOf(redis)).toEqual(['redis-server', redisConfAt]);
    expect(mountTarget(redis, 'redis-data'), 'redis-data is where redis.conf keeps its AOF').toBe(
      redisConf.get('dir'),
    );
    // Other containers connect over the compose network, without a password.
    expect(redisConf.get('bind')).toBe('0.0.0.0');
    expect(redisConf.get('protected-mode')).toBe('no');
    const redisHealth = healthcheckOf(redis);
    expect(redisHealth.slice(0, 2)).toEqual(['CMD', 'redis-cli']);
    expect(redisHealth).toContain('ping');
    if (redisHealth.includes('-p'))
      expect(Number(redisHealth[redisHealth.indexOf('-p') + 1])).toBe(redisPort);
    else expect(redisPort, 'redis-cli pings 6379 unless told -p').toBe(6379);

    const postgres = service('postgres');
    const pgConfAt = mountTarget(postgres, './infra/postgres/postgresql.conf');
    expect(pgConfAt).toBeDefined();
    expect(commandOf(postgres)).toEqual(['postgres', '-c', `config_file=${pgConfAt}`]);
    expect(postgresConf.get('listen_addresses')).toBe('*');
    // The postgres image's data directory (PGDATA) is /var/lib/postgresql/data.
    expect(mountTarget(postgres, 'postgres-data')).toBe('/var/lib/postgresql/data');
    const pgHealth = healthcheckOf(postgres);
    expect(pgHealth.slice(0, 2)).toEqual(['CMD', 'pg_isready']);
    expect(pgHealth[pgHealth.indexOf('-U') + 1], 'pg_isready -U').toBe(
      environmentOf(postgres)['POSTGRES_USER'],
    );
    if (pgHealth.includes('-p')) expect(Number(pgHealth[pgHealth.indexOf('-p') + 1])).toBe(postgresPort);
    else expect(postgresPort, 'pg_isready checks 5432 unless told -p').toBe(5432);

    // Published to the host's loopback only: Redis has no password.
    for (const [name, port] of [
      ['redis', redisPort],
      ['postgres', postgresPort],
    ] as const) {
      const published = (service(name).ports ?? []).map(portOf);
      expect(
        published.map((p) => p.container),
        name,
      ).toContain(port);
      for (const p of published) expect(p.hostIp, `${name} port ${p.host}`).toBe('127.0.0.1');
    }
  });

  it('starts services in an order that can work', () => {
    const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, s] of Object.entries(services)) {
      for (const [dependency, condition] of Object.entries(dependenciesOf(s))) {
        const target = service(dependency);
        if (condition === 'service_healthy') {
          expect(
            healthcheckOf(target).length,
            `${name} waits for ${dependency}'s healthcheck`,
          ).toBeGreaterThan(0);
        }
        if (condition === 'service_completed_successfully') {
          // A one-shot step with a restart policy would be restarted instead of completing.
          expect(target.restart, `${name} waits for ${dependency} to finish`).toBe('no');
        }
      }
      for (const volume of s.volumes ?? []) {
        const { source } = mountOf(volume);
        if (source.startsWith('.') || source.startsWith('/')) {
          expect(existsSync(join(root, source)), `${name}: ${source}`).toBe(true);
        } else expect(declaredVolumes.has(source), `${name}: volume ${source} is not declared`).toBe(true);
      }
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      Object.keys(dependenciesOf(service(from))).some((d) => {
        if (d === to) return true;
        if (seen.has(d)) return false;
        seen.add(d);
        return reaches(d, to, seen);
      });
    for (const name of ['worker', 'aggregator']) {
      expect(reaches(name, 'redis'), `${name} after redis`).toBe(true);
      expect(reaches(name, 'migrate'), `${name} after the migration`).toBe(true);
    }
    expect(reaches('migrate', 'postgres'), 'migrate after postgres').toBe(true);
  });

  it('runs only commands the CLI has, through the Dockerfile ENTRYPOINT', () => {
    expect(entrypoint[0]).toBe('node');
    const bin = JSON.parse(read('apps/cli/package.json')).bin.satfarm as string;
    // WORKDIR holds the repository's layout (COPY apps apps …), so the path is relative to both.
    expect(posix.normalize(entrypoint[1]!)).toBe(posix.join('apps/cli', bin));
    expect(existsSync(join(root, entrypoint[1]!))).toBe(true);
    for (const name of satfarmServices) {
      if (commandOf(service(name)).length > 0) expectCliCommand(commandOf(service(name)), name);
    }
    // The usage in the file's comments, `docker compose run --rm cli …`, with its example spec.
    const documented = [...composeText.matchAll(/docker compose run --rm cli ([^`\n]+)/g)].map((m) =>
      m[1]!.trim().split(/\s+/),
    );
    expect(documented.length).toBeGreaterThan(0);
    const cliExamples = mountTarget(service('cli'), './examples');
    expect(cliExamples).toBe(posix.join(workdir, 'examples'));
    for (const args of documented) {
      expectCliCommand(args, 'comment');
      for (const arg of args.filter((a) => a.startsWith('examples/'))) {
        expect(existsSync(join(root, arg)), `the comment's ${arg}`).toBe(true);
      }
    }
  });

  // `docker compose config` is the authority; it runs wherever a compose client is installed (Debian
  // 12's `docker-compose` 1.29 works without an engine). Not installed on CI's machines: skipped there.
  const client = ['docker-compose', 'docker'].find(
    (bin) =>
      spawnSync(bin, bin === 'docker' ? ['compose', 'version'] : ['version'], { stdio: 'ignore' }).status ===
      0,
  );
  it.runIf(client !== undefined)('is valid for the compose client, which resolves it as read here', () => {
    const args = client === 'docker' ? ['compose', 'config'] : ['config'];
    const run = spawnSync(client!, args, { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const resolved = parse(run.stdout) as { services: Record<string, Service> };
    for (const [name, s] of Object.entries(services)) {
      const theirs = resolved.services[name];
      expect(theirs, name).toBeDefined();
      expect(commandOf(theirs!), name).toEqual(commandOf(s));
      expect(environmentOf(theirs!), name).toEqual(environmentOf(s));
    }
  });
});

describe('infra/docker/Dockerfile', () => {
  it('copies only files that exist, and every workspace manifest before npm ci', () => {
    for (const { sources } of copies) {
      for (const source of sources) expect(existsSync(join(root, source)), `COPY ${source}`).toBe(true);
    }
    const npmCi = indexOf('RUN', (args) => /\bnpm ci\b/.test(args));
    expect(npmCi).toBeGreaterThan(0);
    const copiedBeforeCi = instructions
      .slice(0, npmCi)
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => i.args.split(/\s+/));
    const workspaces = ['apps', 'packages'].flatMap((dir) =>
      readdirSync(join(root, dir))
        .filter((name) => existsSync(join(root, dir, name, 'package.json')))
        .map((name) => `${dir}/${name}/package.json`),
    );
    for (const manifest of [...workspaces, 'bench/package.json', 'package.json', 'package-lock.json']) {
      expect(copiedBeforeCi, `${manifest} is not copied before npm ci`).toContain(manifest);
    }
    // Everything the CLI loads at run time is copied whole after the install.
    for (const dir of ['apps', 'packages']) {
      expect(
        copies.some((c) => c.sources.includes(dir)),
        `COPY ${dir}`,
      ).toBe(true);
    }
  });

  it('installs what the entrypoint imports as production dependencies', () => {
    // npm ci --omit=dev: the bin's own imports (tsx, which runs the TypeScript sources) must be
    // dependencies of the CLI, not devDependencies.
    expect(instructions.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    const cli = JSON.parse(read('apps/cli/package.json')) as { dependencies: Record<string, string> };
    const imports = [...read(entrypoint[1]!).matchAll(/from '([^'.][^']*)'|import\('([^'.][^']*)'\)/g)].map(
      (m) => (m[1] ?? m[2])!,
    );
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) {
      const name = specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : specifier.split('/')[0]!;
      expect(Object.keys(cli.dependencies), `${specifier} is not a dependency of the CLI`).toContain(name);
    }
  });

  it('lets its unprivileged user write the checkpoint directory', () => {
    // A named volume takes the owner of the image's directory it is mounted on; without that directory
    // it is root's, and the worker (USER node) could not write a single checkpoint.
    const dir = imageEnv['CHECKPOINT_DIR']!;
    expect(runtimeUser).toBeDefined();
    expect(runtimeUser).not.toBe('root');
    const userAt = indexOf('USER');
    const prepared = instructions
      .slice(0, userAt)
      .some(
        (i) =>
          i.keyword === 'RUN' &&
          i.args.includes(`mkdir -p ${dir}`) &&
          new RegExp(`chown (-R )?${runtimeUser}(:${runtimeUser})? ${dir}(\\s|$)`).test(i.args),
      );
    expect(prepared, `RUN mkdir -p ${dir} && chown ${runtimeUser} ${dir} before USER`).toBe(true);
  });

  it('reads Fashion-MNIST where the Debian package it installs puts it', () => {
    expect(imageEnv['FASHION_MNIST_DIR']).toBe(DEFAULT_FASHION_MNIST_DIR);
    expect(
      instructions.some((i) => i.keyword === 'RUN' && /apt-get install .*dataset-fashion-mnist/.test(i.args)),
    ).toBe(true);
    // The base image's Node.js major meets the engines field.
    const engines = JSON.parse(read('package.json')).engines.node as string;
    const from = /^node:(\d+)/.exec(instructionsOf('FROM')[0]?.args ?? '');
    expect(Number(from?.[1])).toBeGreaterThanOrEqual(Number(/\d+/.exec(engines)?.[0]));
  });
});

describe('infra/redis/redis.conf', () => {
  it('keeps Redis durable and never evicts queue keys', () => {
    expect(redisConf.get('appendonly')).toBe('yes');
    expect(redisConf.get('maxmemory-policy')).toBe('noeviction');
  });
});
