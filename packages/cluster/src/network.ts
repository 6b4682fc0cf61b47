/**
 * The pod network: one Linux bridge per cluster holding the node address, and per pod a network namespace joined
 * to it by a veth pair, so that an app binds 0.0.0.0:<containerPort> unchanged and every pod has its own IP.
 * Addresses come from 198.18.0.0/16 (RFC 2544's benchmarking range: never a real host's), one /24 per cluster
 * claimed under /run/zerodrop so that several clusters can run at once. Every name starts with the cluster's
 * prefix, so cleaning up after a crash is a matter of listing names.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterError } from './errors.js';
import { exec, execOk } from './exec.js';

const CLAIMS = '/run/zerodrop/subnets';
const SUBNETS = 256;

export interface Subnet {
  /** e.g. 198.18.7.0/24 */
  cidr: string;
  /** The bridge's address: the node IP and the pods' gateway. */
  gateway: string;
  /** The first three octets. */
  base: string;
}

function subnetAt(index: number): Subnet {
  const base = `198.18.${index}`;
  return { cidr: `${base}.0/24`, gateway: `${base}.1`, base };
}

export function bridgeName(prefix: string): string {
  return `${prefix}-br`;
}

/** Root, or at least allowed to create network namespaces: checked before anything is started. */
export function networkUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'pod networks need Linux network namespaces';
  if (process.getuid?.() !== 0) {
    return 'pod networks (a network namespace, a veth and an IP per pod) need root: run `sudo zerodrop cluster start`';
  }
  return undefined;
}

async function linkExists(name: string): Promise<boolean> {
  return (await exec('ip', ['link', 'show', name])).code === 0;
}

/**
 * Claims a /24 for this cluster (the same one again for the same folder). A claim whose cluster has no bridge and
 * which is older than two minutes (a start in progress makes its bridge within seconds) is stale and taken over.
 */
export async function claimSubnet(dir: string, prefix: string): Promise<Subnet> {
  mkdirSync(CLAIMS, { recursive: true });
  const first = Number.parseInt(createHash('sha256').update(dir).digest('hex').slice(0, 4), 16) % SUBNETS;
  for (let i = 0; i < SUBNETS; i++) {
    const index = (first + i) % SUBNETS;
    if (index === 0 || index === 255) continue;
    const claim = join(CLAIMS, String(index));
    try {
      mkdirSync(claim);
      writeFileSync(join(claim, 'owner'), `${prefix} ${dir}\n`);
      return subnetAt(index);
    } catch {
      const [owner = ''] = readFileSync(join(claim, 'owner'), { encoding: 'utf8', flag: 'a+' }).trim().split(' ');
      if (owner === prefix) return subnetAt(index);
      const old = Date.now() - statSync(claim).mtimeMs > 120_000;
      if (old && !(owner && (await linkExists(bridgeName(owner))))) {
        rmSync(claim, { recursive: true, force: true });
        i--;
      }
    }
  }
  throw new ClusterError('NETWORK', `no free /24 left in 198.18.0.0/16 (claims under ${CLAIMS})`);
}

/** Gives up every claim of this prefix. */
export function releaseSubnets(prefix: string): void {
  if (!existsSync(CLAIMS)) return;
  for (let index = 0; index < SUBNETS; index++) {
    const owner = join(CLAIMS, String(index), 'owner');
    if (existsSync(owner) && readFileSync(owner, 'utf8').startsWith(`${prefix} `)) {
      rmSync(join(CLAIMS, String(index)), { recursive: true, force: true });
    }
  }
}

/** Creates the cluster's bridge with the node address (idempotent). */
export async function createBridge(prefix: string, subnet: Subnet): Promise<void> {
  const bridge = bridgeName(prefix);
  if (!(await linkExists(bridge))) await execOk('ip', ['link', 'add', bridge, 'type', 'bridge']);
  await exec('ip', ['addr', 'add', `${subnet.gateway}/24`, 'dev', bridge]);
  await execOk('ip', ['link', 'set', bridge, 'up']);
}

export async function namespacesWithPrefix(prefix: string): Promise<string[]> {
  const r = await exec('ip', ['netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${prefix}-`));
}

export async function linksWithPrefix(prefix: string): Promise<string[]> {
  const r = await exec('ip', ['-o', 'link', 'show']);
  return r.stdout
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '')
    .filter((n) => n.startsWith(prefix));
}

/** Pids of every process inside a network namespace. */
export async function namespacePids(netns: string): Promise<number[]> {
  const r = await exec('ip', ['netns', 'pids', netns]);
  return r.stdout
    .split('\n')
    .map(Number)
    .filter((n) => n > 0);
}

/** Kills whatever runs in this cluster's namespaces and deletes the namespaces, veths and bridge. */
export async function removeNetwork(prefix: string): Promise<void> {
  for (const netns of await namespacesWithPrefix(prefix)) {
    for (const pid of await namespacePids(netns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await exec('ip', ['netns', 'del', netns]);
  }
  for (const link of await linksWithPrefix(prefix)) await exec('ip', ['link', 'del', link]);
  releaseSubnets(prefix);
}

/** One pod's network: its namespace (a path usable with nsenter) and address. */
export interface PodSandbox {
  netns: string;
  netnsPath: string;
  ip: string;
}

/**
 * Creates and removes pod sandboxes on the cluster's bridge. Addresses are handed out round-robin from .2 to .254,
 * so a just-freed address is not reused at once (a stale endpoint never points at a new pod).
 */
export class PodNetwork {
  private readonly used = new Set<number>();
  private next = 2;
  private counter = 0;

  constructor(
    readonly prefix: string,
    readonly subnet: Subnet,
  ) {}

  private allocate(): number {
    for (let i = 0; i < 253; i++) {
      const host = this.next;
      this.next = this.next >= 254 ? 2 : this.next + 1;
      if (!this.used.has(host)) {
        this.used.add(host);
        return host;
      }
    }
    throw new ClusterError('NETWORK', `no free pod address left in ${this.subnet.cidr}`);
  }

  async create(): Promise<PodSandbox> {
    const host = this.allocate();
    const id = `${process.pid.toString(36)}${(this.counter++).toString(36)}`.slice(-6);
    const netns = `${this.prefix}-${id}`;
    const veth = `${this.prefix}${id}`;
    const ip = `${this.subnet.base}.${host}`;
    try {
      await execOk('ip', ['netns', 'add', netns]);
      await execOk('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
      await execOk('ip', ['link', 'set', veth, 'master', bridgeName(this.prefix), 'up']);
      await execOk('ip', ['-n', netns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      await execOk('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
      await execOk('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
      await execOk('ip', ['-n', netns, 'route', 'add', 'default', 'via', this.subnet.gateway]);
    } catch (error) {
      await this.remove({ netns, netnsPath: '', ip });
      throw new ClusterError('NETWORK', `cannot create the pod network ${netns}: ${(error as Error).message}`);
    }
    return { netns, netnsPath: `/run/netns/${netns}`, ip };
  }

  /** Kills what is left in the namespace, then deletes it (its veth goes with it) and frees the address. */
  async remove(sandbox: PodSandbox): Promise<void> {
    for (const pid of await namespacePids(sandbox.netns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await exec('ip', ['netns', 'del', sandbox.netns]);
    const host = Number(sandbox.ip.split('.')[3]);
    this.used.delete(host);
  }
}
