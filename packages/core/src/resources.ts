import type { Container, Workload } from './workload.js';

/** A CPU quantity in cores: `2`, `0.5`, `.5`, `250m`; undefined when it is not one. */
export function cpuCores(quantity: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)(m?)\s*$/.exec(quantity ?? '');
  if (!m) return undefined;
  const value = Number(m[1]);
  return m[2] === 'm' ? value / 1000 : value;
}

/** Requests left out default to the limits (the API server fills them in). */
function guaranteed(c: Container): boolean {
  const { requests, limits } = c.resources;
  if (limits.cpu === undefined || limits.memory === undefined) return false;
  return (
    cpuCores(requests.cpu ?? limits.cpu) === cpuCores(limits.cpu) &&
    (requests.memory ?? limits.memory) === limits.memory
  );
}

/**
 * True when the kubelet's static CPU manager gives the container whole cores of its own: the pod is of Guaranteed
 * QoS (every container's requests equal its limits) and this container asks for a whole number of CPUs. Its CPU
 * limit is what earns it those cores, not a throttle someone forgot.
 */
export function exclusiveCpus(w: Workload, c: Container): boolean {
  const cores = cpuCores(c.resources.limits.cpu);
  return cores !== undefined && cores >= 1 && Number.isInteger(cores) && w.containers.every(guaranteed);
}
