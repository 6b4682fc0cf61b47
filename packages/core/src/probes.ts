/** A container probe as written in a manifest (only the fields zerodrop reasons about are typed). */
export interface Probe {
  httpGet?: { path?: string; port?: number | string; scheme?: string; host?: string };
  tcpSocket?: { port?: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port?: number; service?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

/** The kubelet's defaults for omitted probe fields. */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

export type ProbeHandler =
  | { type: 'httpGet'; path: string; port: number | string; scheme: string }
  | { type: 'tcpSocket'; port: number | string }
  | { type: 'exec'; command: string[] }
  | { type: 'grpc'; port: number; service?: string };

/** A probe with every timing field filled in and its handler classified. */
export interface ResolvedProbe {
  handler: ProbeHandler | undefined;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** Applies the kubelet's defaults and classifies the handler. */
export function resolveProbe(probe: Probe): ResolvedProbe {
  let handler: ProbeHandler | undefined;
  if (probe.httpGet) {
    handler = {
      type: 'httpGet',
      path: probe.httpGet.path ?? '/',
      port: probe.httpGet.port ?? 80,
      scheme: probe.httpGet.scheme ?? 'HTTP',
    };
  } else if (probe.tcpSocket) {
    handler = { type: 'tcpSocket', port: probe.tcpSocket.port ?? 80 };
  } else if (probe.exec) {
    handler = { type: 'exec', command: Array.isArray(probe.exec.command) ? probe.exec.command.map(String) : [] };
  } else if (probe.grpc) {
    handler = {
      type: 'grpc',
      port: num(probe.grpc.port, 0),
      ...(probe.grpc.service ? { service: probe.grpc.service } : {}),
    };
  }
  return {
    handler,
    initialDelaySeconds: num(probe.initialDelaySeconds, PROBE_DEFAULTS.initialDelaySeconds),
    periodSeconds: Math.max(1, num(probe.periodSeconds, PROBE_DEFAULTS.periodSeconds)),
    timeoutSeconds: Math.max(1, num(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds)),
    successThreshold: Math.max(1, num(probe.successThreshold, PROBE_DEFAULTS.successThreshold)),
    failureThreshold: Math.max(1, num(probe.failureThreshold, PROBE_DEFAULTS.failureThreshold)),
  };
}

/** Worst-case seconds from a probe's first failure to the kubelet acting on it: period x failureThreshold. */
export function probeReactionSeconds(probe: ResolvedProbe): number {
  return probe.periodSeconds * probe.failureThreshold;
}

/** Longest a startup probe lets a container take before it is killed: initialDelay + period x failureThreshold. */
export function startupBudgetSeconds(probe: ResolvedProbe): number {
  return probe.initialDelaySeconds + probe.periodSeconds * probe.failureThreshold;
}

/** Two probes hit the same endpoint (same handler type, path and port): the probe split is missing. */
export function sameProbeTarget(a: ResolvedProbe, b: ResolvedProbe): boolean {
  if (!a.handler || !b.handler || a.handler.type !== b.handler.type) return false;
  return JSON.stringify(a.handler) === JSON.stringify(b.handler);
}
