import { spawn } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import type { ProbeHandler, ResolvedProbe } from '@zerodrop/core';
import { scaledMs } from './settings.js';

/**
 * Where a probe runs. In a rehearsal: the replica's port on loopback, whatever port the probe names (each replica
 * is told its own port). In a cluster: the pod's IP, the probe's own port (a number or a container port's name),
 * and exec handlers run inside the pod's network namespace and working directory.
 */
export interface ProbeTarget {
  port: number;
  env: Record<string, string>;
  /** The address to probe (default 127.0.0.1). */
  host?: string;
  /** Maps the handler's port to the one to probe; without it every port means `port`. */
  resolvePort?: (port: number | string) => number;
  /** Prepended to exec commands, e.g. `nsenter --net=<netns> --`. */
  execPrefix?: string[];
  /** Working directory of exec commands. */
  cwd?: string;
}

const PROBE_USER_AGENT = 'kube-probe/1.34 (zerodrop rehearse)';

/**
 * Runs a handler once. httpGet: a fresh connection (the kubelet disables keep-alive), success on 200-399.
 * tcpSocket: success when the connection is accepted. exec: success on exit code 0. Every port means the replica's.
 */
export function runHandler(handler: ProbeHandler, target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  const host = target.host ?? '127.0.0.1';
  const port = handler.type === 'exec' ? 0 : (target.resolvePort?.(handler.port) ?? target.port);
  switch (handler.type) {
    case 'httpGet':
      return httpCheck(port, handler.path, timeoutMs, PROBE_USER_AGENT, host, handler.scheme === 'HTTPS');
    case 'tcpSocket':
      return tcpCheck(port, timeoutMs, host);
    case 'grpc':
      // A rehearsal maps every port to the replica's one HTTP port, where no gRPC server listens: a TCP connect
      // stands in. Where ports are the pod's own, the probe speaks grpc.health.v1.
      return target.resolvePort
        ? grpcCheck(port, handler.service ?? '', timeoutMs, host)
        : tcpCheck(port, timeoutMs, host);
    case 'exec':
      return execCheck([...(target.execPrefix ?? []), ...handler.command], target.env, timeoutMs, target.cwd);
  }
}

/** httpGet as the kubelet runs it: a fresh connection, success on 200-399; HTTPS without certificate checks. */
export function httpCheck(
  port: number,
  path: string,
  timeoutMs: number,
  userAgent: string,
  host = '127.0.0.1',
  secure = false,
): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(ok);
    };
    const get = secure ? https.get : http.get;
    const req = get(
      {
        host,
        port,
        path,
        agent: false,
        rejectUnauthorized: false,
        headers: { 'user-agent': userAgent, connection: 'close' },
      },
      (res) => {
        const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 400;
        res.resume();
        res.on('end', () => done(ok));
        res.on('error', () => done(false));
      },
    );
    req.on('error', () => done(false));
    const timer = setTimeout(() => done(false), timeoutMs);
  });
}

export function tcpCheck(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(ok: boolean) {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    }
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export function execCheck(
  command: string[],
  env: Record<string, string>,
  timeoutMs: number,
  cwd?: string,
): Promise<boolean> {
  return new Promise((resolve) => {
    const [file, ...args] = command;
    if (!file) {
      resolve(false);
      return;
    }
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: 'ignore', detached: true, cwd });
    const timer = setTimeout(() => killGroup(child.pid), timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      killGroup(child.pid);
      resolve(code === 0);
    });
  });
}

/** A protobuf string field 1 (grpc.health.v1.HealthCheckRequest.service), in a gRPC length-prefixed frame. */
function healthRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  const message = name.length > 0 ? Buffer.concat([Buffer.from([0x0a, name.length]), name]) : Buffer.alloc(0);
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

/** HealthCheckResponse.status (field 1, varint) of a gRPC frame; SERVING is 1. */
function servingStatus(frame: Buffer): number | undefined {
  const message = frame.subarray(5, 5 + frame.readUInt32BE(1));
  return message[0] === 0x08 ? message[1] : 0;
}

/**
 * The grpc probe: grpc.health.v1.Health/Check over plaintext HTTP/2, success when the answer is SERVING (the
 * kubelet's probe does exactly this; TLS is not supported by it either).
 */
export function grpcCheck(port: number, service: string, timeoutMs: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const session = http2.connect(`http://${host}:${port}`);
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    session.on('error', () => done(false));
    const stream = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': PROBE_USER_AGENT,
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    stream.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
    });
    stream.on('trailers', (trailers) => {
      grpcStatus = String(trailers['grpc-status'] ?? grpcStatus);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => done(false));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      done(grpcStatus === '0' && body.length >= 5 && servingStatus(body) === 1);
    });
    stream.end(healthRequest(service));
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export type ProbeResult = 'success' | 'failure';
export type ProbeKind = 'startup' | 'readiness' | 'liveness';

/**
 * The prober worker's threshold logic (pkg/kubelet/prober/worker.go): the reported result only changes after
 * successThreshold consecutive successes or failureThreshold consecutive failures.
 */
export class ProbeThreshold {
  private lastRaw: ProbeResult | undefined;
  private run = 0;
  result: ProbeResult | 'unknown';

  constructor(
    private readonly probe: Pick<ResolvedProbe, 'successThreshold' | 'failureThreshold'>,
    initial: ProbeResult | 'unknown',
  ) {
    this.result = initial;
  }

  /** Feeds one raw probe outcome; returns true when the reported result changed. */
  observe(raw: ProbeResult): boolean {
    if (raw === this.lastRaw) this.run++;
    else {
      this.lastRaw = raw;
      this.run = 1;
    }
    const threshold = raw === 'failure' ? this.probe.failureThreshold : this.probe.successThreshold;
    if (this.run < threshold || raw === this.result) return false;
    this.result = raw;
    return true;
  }
}

export interface ProbeWorkerOptions {
  kind: ProbeKind;
  probe: ResolvedProbe;
  target: ProbeTarget;
  speed: number;
  /** The kubelet's initial values: readiness failure, liveness success, startup unknown. */
  initial: ProbeResult | 'unknown';
  onChange(result: ProbeResult): void;
  /** Every probe's own outcome, before the thresholds (the kubelet records an event for each failed one). */
  onResult?(raw: ProbeResult): void;
}

/**
 * Probes on a ticker: the first tick right away, then every periodSeconds (divided by --speed). Three durations are
 * NOT divided by --speed, because the app runs at its real speed: initialDelaySeconds and a startup probe's
 * allowance (failureThreshold × periodSeconds), which wait for the app's real start, and timeoutSeconds, which bounds
 * its real response time (a probe that takes longer than the scaled period delays the next tick, as the kubelet's
 * ticker does). Without that, --speed 10 would turn a 30 s initial delay into 3 s and kill an app that Kubernetes
 * lets start.
 */
export class ProbeWorker {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly threshold: ProbeThreshold;
  private readonly startedAt = performance.now();
  private readonly periodMs: number;
  private readonly timeoutMs: number;
  private readonly handler: ProbeHandler;

  constructor(private readonly options: ProbeWorkerOptions) {
    this.threshold = new ProbeThreshold(options.probe, options.initial);
    this.periodMs = scaledMs(options.probe.periodSeconds, options.speed);
    this.timeoutMs = Math.max(50, options.probe.timeoutSeconds * 1000);
    this.handler = options.probe.handler ?? { type: 'tcpSocket', port: options.target.port };
  }

  get kind(): ProbeKind {
    return this.options.kind;
  }

  start(): void {
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const began = performance.now();
    const { probe } = this.options;
    if (began - this.startedAt >= probe.initialDelaySeconds * 1000) {
      const ok = await runHandler(this.handler, this.options.target, this.timeoutMs);
      if (this.stopped) return;
      const raw: ProbeResult = ok ? 'success' : 'failure';
      this.options.onResult?.(raw);
      // A startup probe gives up only once the app has had its whole allowance, in real time.
      const allowanceMs = (probe.initialDelaySeconds + probe.failureThreshold * probe.periodSeconds) * 1000;
      const tooEarly = this.options.kind === 'startup' && raw === 'failure' && began - this.startedAt < allowanceMs;
      if (!tooEarly && this.threshold.observe(raw)) this.options.onChange(raw);
    }
    if (this.stopped) return;
    const wait = Math.max(0, this.periodMs - (performance.now() - began));
    this.timer = setTimeout(() => void this.tick(), wait);
  }
}
