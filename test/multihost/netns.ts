/**
 * Separate "hosts" on one Linux machine: each worker host is a network namespace with its own veth
 * interface and address on a private /24; the root namespace is the services host, reachable at the
 * bridge's address. Needs root (CAP_NET_ADMIN) and iproute2's `ip`.
 *
 *   root namespace (services host)            namespace satfarm-mh-<pid>-<tag>-hosta
 *   sf<tag>br 10.231.X.1/24 ── sf<tag>a0 ═══ sf<tag>a1 10.231.X.2/24
 *                           └─ sf<tag>b0 ═══ sf<tag>b1 10.231.X.3/24   (…-hostb)
 *
 * Names carry the test process's pid and a random tag, so runs never share a name, and namespaces left
 * behind by a run that was killed (its pid gone) are removed by the next run.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);
const NAMESPACE_PREFIX = 'satfarm-mh-';
const NAMESPACE_PATTERN = /^satfarm-mh-(\d+)-([a-z0-9]{6})-/;

/** `ip ARGS…`; the error names the command and quotes what `ip` said. */
async function ip(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('ip', args, { timeout: 10_000 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}

function ipSync(...args: string[]): { ok: boolean; output: string; missing?: boolean } {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, output: result.error.message, missing };
  }
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * Why namespaces cannot be made here (not root, no CAP_NET_ADMIN, no `ip`, no veth support), or
 * undefined when they can: makes and removes a namespace with a veth pair in it. Synchronous, for
 * `describe.skipIf` at collection time.
 */
export function netnsUnavailable(): string | undefined {
  const tag = randomBytes(3).toString('hex');
  const ns = `${NAMESPACE_PREFIX}${process.pid}-${tag}-probe`;
  const add = ipSync('netns', 'add', ns);
  if (add.missing) return 'no `ip` command here (iproute2 is not installed)';
  if (!add.ok) return `\`ip netns add\` failed (${add.output || 'no output'}): needs root or CAP_NET_ADMIN`;
  try {
    const veth = ipSync(
      'link',
      'add',
      `sf${tag}p0`,
      'type',
      'veth',
      'peer',
      'name',
      `sf${tag}p1`,
      'netns',
      ns,
    );
    if (!veth.ok) return `\`ip link add … type veth\` failed (${veth.output || 'no output'})`;
    return undefined;
  } finally {
    // Deleting the namespace deletes the peer inside it, and with it the pair.
    ipSync('netns', 'delete', ns);
    ipSync('link', 'delete', `sf${tag}p0`);
  }
}

export interface Host {
  /** `hosta`, `hostb`, … as given. */
  readonly label: string;
  /** The network namespace. */
  readonly namespace: string;
  /** Its address on the private network. */
  readonly address: string;
  /** The command prefix that runs a program on this host: `ip netns exec NAMESPACE`. */
  readonly exec: readonly string[];
  /** Ids of every process in the namespace. */
  pids(): Promise<number[]>;
  /** SIGKILL every process in the namespace, until none is left. */
  killAll(): Promise<void>;
  /**
   * Takes the host off the network (its veth pair down): nothing it sends reaches the services host any
   * more, not even the FIN or RST of a killed process's connection, as after a power cut.
   */
  unplug(): Promise<void>;
}

export interface HostNetwork {
  /** The services host's (root namespace's) address on the private network. */
  readonly servicesAddress: string;
  readonly subnet: string;
  readonly hosts: readonly Host[];
  /** Kills every process in the namespaces, deletes them and the bridge. Safe to call twice. */
  close(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function namespaces(): Promise<string[]> {
  // `ip netns list` prints "name" or "name (id: N)".
  return (await ip('netns', 'list'))
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter((name) => name.length > 0);
}

async function namespacePids(namespace: string): Promise<number[]> {
  const out = await ip('netns', 'pids', namespace).catch(() => '');
  return out
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

async function killNamespace(namespace: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pids = await namespacePids(namespace);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    if (Date.now() > deadline)
      throw new Error(`processes ${pids.join(', ')} in ${namespace} survive SIGKILL`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Links of the root namespace whose names start with `prefix` (`ip -o link` prints "N: name@peer: …"). */
async function linksNamed(prefix: string): Promise<string[]> {
  return (await ip('-o', 'link', 'show'))
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((name): name is string => name?.startsWith(prefix) === true);
}

async function removeNetwork(namespaceNames: readonly string[], tag: string): Promise<void> {
  const errors: unknown[] = [];
  for (const ns of namespaceNames) {
    try {
      await killNamespace(ns);
      await ip('netns', 'delete', ns);
    } catch (error) {
      errors.push(error);
    }
  }
  // The bridge, and the root ends of the veth pairs: a namespace whose name is gone lives on while a
  // socket of a killed process still lingers in it (FIN_WAIT, TIME_WAIT), its veth pair with it.
  // Deleting the root end removes the pair now.
  for (const link of await linksNamed(`sf${tag}`).catch((error: unknown) => {
    errors.push(error);
    return [];
  })) {
    await ip('link', 'delete', link).catch((error: unknown) => {
      if (!/Cannot find device/.test(String(error))) errors.push(error);
    });
  }
  if (errors.length > 0) throw new AggregateError(errors, 'could not remove the test network');
}

/** Namespaces (and their bridges) of earlier runs whose test process is gone: killed before cleaning up. */
export async function removeStaleNetworks(): Promise<string[]> {
  const byTag = new Map<string, string[]>();
  for (const ns of await namespaces()) {
    const m = NAMESPACE_PATTERN.exec(ns);
    if (m === null || alive(Number(m[1]))) continue;
    byTag.set(m[2]!, [...(byTag.get(m[2]!) ?? []), ns]);
  }
  for (const [tag, names] of byTag) await removeNetwork(names, tag);
  return [...byTag.values()].flat();
}

/** A 10.231.X.0/24 no interface of this machine has an address in. */
async function freeSubnet(): Promise<number> {
  const used = new Set(
    [...(await ip('-4', '-o', 'addr', 'show')).matchAll(/inet 10\.231\.(\d+)\./g)].map((m) => Number(m[1])),
  );
  for (let i = 0; i < 254; i += 1) {
    const x = ((process.pid + i) % 254) + 1;
    if (!used.has(x)) return x;
  }
  throw new Error('no free /24 in 10.231.0.0/16');
}

/**
 * Makes one namespace per label, each with its own veth pair into a bridge in the root namespace.
 * On any failure what was made is removed before the error is thrown.
 */
export async function createHostNetwork(labels: readonly string[]): Promise<HostNetwork> {
  if (labels.length > 26) throw new Error('at most 26 hosts');
  const tag = randomBytes(3).toString('hex');
  const bridge = `sf${tag}br`;
  const made: string[] = [];
  const x = await freeSubnet();
  const subnet = `10.231.${x}.0/24`;
  const servicesAddress = `10.231.${x}.1`;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= removeNetwork(made, tag);
    return closed;
  };
  // Should the test process end without reaching close() (vitest tears down on a timeout), the
  // namespaces still go; a SIGKILLed run is cleaned up by removeStaleNetworks() of the next one.
  const onExit = () => {
    for (const ns of made) {
      for (const pid of ipSync('netns', 'pids', ns)
        .output.split(/\s+/)
        .filter((s) => /^\d+$/.test(s))) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {}
      }
      ipSync('netns', 'delete', ns);
    }
    for (const [i] of labels.entries()) ipSync('link', 'delete', `sf${tag}${String.fromCharCode(97 + i)}0`);
    ipSync('link', 'delete', bridge);
  };
  process.once('exit', onExit);
  try {
    // Namespaces first: their names (pid, tag) are what a later run finds a dead run's leftovers by.
    const names = labels.map((label) => `${NAMESPACE_PREFIX}${process.pid}-${tag}-${label}`);
    for (const namespace of names) {
      await ip('netns', 'add', namespace);
      made.push(namespace);
    }
    await ip('link', 'add', bridge, 'type', 'bridge');
    await ip('addr', 'add', `${servicesAddress}/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    const hosts: Host[] = [];
    for (const [i, label] of labels.entries()) {
      const letter = String.fromCharCode(97 + i);
      const namespace = names[i]!;
      const outside = `sf${tag}${letter}0`;
      const inside = `sf${tag}${letter}1`;
      const address = `10.231.${x}.${i + 2}`;
      await ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside, 'netns', namespace);
      await ip('link', 'set', outside, 'master', bridge);
      await ip('link', 'set', outside, 'up');
      await ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', inside);
      await ip('-n', namespace, 'link', 'set', inside, 'up');
      // Loopback up: a connection to 127.0.0.1 is refused at once (nothing listens there), not lost.
      await ip('-n', namespace, 'link', 'set', 'lo', 'up');
      hosts.push({
        label,
        namespace,
        address,
        exec: ['ip', 'netns', 'exec', namespace],
        pids: () => namespacePids(namespace),
        killAll: () => killNamespace(namespace),
        unplug: async () => {
          await ip('link', 'set', outside, 'down');
        },
      });
    }
    // Another run may have taken the same /24 between our look and our `addr add`: refuse to share it.
    const owners = (await ip('-4', '-o', 'addr', 'show'))
      .split('\n')
      .filter((line) => line.includes(`inet 10.231.${x}.`))
      .map((line) => line.split(/\s+/)[1]);
    if (owners.some((dev) => dev !== bridge))
      throw new Error(`${subnet} is also used by ${owners.join(', ')}`);
    return {
      servicesAddress,
      subnet,
      hosts,
      async close() {
        await close();
        process.removeListener('exit', onExit);
      },
    };
  } catch (error) {
    await close().catch(() => {});
    process.removeListener('exit', onExit);
    throw error;
  }
}
