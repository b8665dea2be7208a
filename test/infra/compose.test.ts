import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Service {
  build?: { context: string; dockerfile: string };
  image?: string;
  command?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };

describe('docker-compose.yml', () => {
  it('runs redis, postgres, a migrate step, workers and the aggregator', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['redis', 'postgres', 'migrate', 'worker', 'aggregator']),
    );
    expect(compose.services.worker?.command?.[0]).toBe('worker');
    expect(compose.services.aggregator?.command).toEqual(['aggregator']);
    expect(compose.services.migrate?.command).toEqual(['db', 'migrate']);
    expect(compose.services.worker?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
  });

  it('builds every satfarm image from the repository Dockerfile, with a shared checkpoint volume', () => {
    for (const name of ['migrate', 'worker', 'aggregator']) {
      const service = compose.services[name]!;
      expect(service.build?.dockerfile).toBe('infra/docker/Dockerfile');
      expect(existsSync(join(root, service.build!.context, service.build!.dockerfile))).toBe(true);
      expect(service.volumes).toContain('checkpoints:/checkpoints');
    }
  });

  it('keeps Redis durable and never evicts queue keys', () => {
    const conf = read('infra/redis/redis.conf');
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
  });

  it('copies the package.json of every workspace into the image before npm ci', () => {
    const dockerfile = read('infra/docker/Dockerfile');
    const workspaces = ['apps', 'packages'].flatMap((dir) =>
      readdirSync(join(root, dir))
        .filter((name) => existsSync(join(root, dir, name, 'package.json')))
        .map((name) => `${dir}/${name}/package.json`),
    );
    for (const manifest of [...workspaces, 'bench/package.json']) {
      expect(dockerfile, `${manifest} is not copied`).toContain(`COPY ${manifest} `);
    }
  });

  // `docker compose config` is the authority; it runs wherever a compose client is installed
  // (Debian's docker-compose here; no Docker engine is needed to validate).
  const client = ['docker-compose', 'docker'].find(
    (bin) =>
      spawnSync(bin, bin === 'docker' ? ['compose', 'version'] : ['version'], { stdio: 'ignore' }).status ===
      0,
  );
  it.runIf(client !== undefined)('is valid for the compose client', () => {
    const args = client === 'docker' ? ['compose', 'config', '-q'] : ['config', '-q'];
    const run = spawnSync(client!, args, { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
