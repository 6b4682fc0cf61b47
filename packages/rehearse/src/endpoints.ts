import { EventEmitter } from 'node:events';
import type { Consumer } from '@zerodrop/core';
import { type PropagationMode, scaledMs } from './settings.js';

/** One EndpointSlice entry (KEP-1672 conditions). */
export interface Endpoint {
  pod: string;
  /** The pod's address; loopback when omitted (a rehearsal's replicas all listen there). */
  host?: string;
  port: number;
  /** serving && !terminating */
  ready: boolean;
  /** The pod's Ready condition, whether terminating or not. */
  serving: boolean;
  terminating: boolean;
}

/** What the EndpointSlice controller needs to know of a pod. */
export interface EndpointSource {
  name: string;
  port: number;
  ready: boolean;
  terminating: boolean;
  gone: boolean;
}

/** The endpoint of a pod, or none once the pod object is gone. */
export function endpointOf(pod: EndpointSource): Endpoint | undefined {
  if (pod.gone) return undefined;
  return {
    pod: pod.name,
    port: pod.port,
    ready: pod.ready && !pod.terminating,
    serving: pod.ready,
    terminating: pod.terminating,
  };
}

export function sameEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A consumer's propagation delay for one endpoint change, in Kubernetes seconds. */
export function propagationSeconds(
  consumer: Consumer,
  mode: PropagationMode,
  random: () => number = Math.random,
): number {
  const { typicalSeconds, worstSeconds } = consumer.propagation;
  if (typeof mode === 'number') return mode;
  if (mode === 'typical') return typicalSeconds;
  if (mode === 'worst') return worstSeconds;
  return typicalSeconds + (worstSeconds - typicalSeconds) * random();
}

/** Something consumers read endpoints from. */
export interface EndpointView extends EventEmitter {
  readonly endpoints: readonly Endpoint[];
}

/** The control plane's truth: the EndpointSlice as of now. Emits 'change' with the new list. */
export class EndpointSlice extends EventEmitter implements EndpointView {
  endpoints: Endpoint[] = [];

  update(pods: Iterable<EndpointSource>): void {
    const next: Endpoint[] = [];
    for (const pod of pods) {
      const e = endpointOf(pod);
      if (e) next.push(e);
    }
    this.replace(next);
  }

  /** Sets the endpoints as read from somewhere else (a real cluster's EndpointSlices); emits only on a change. */
  replace(endpoints: readonly Endpoint[]): void {
    const next = [...endpoints].sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
    if (sameEndpoints(next, this.endpoints)) return;
    this.endpoints = next;
    this.emit('change', next);
  }
}

/**
 * A consumer's copy of the EndpointSlice: every change reaches it after the consumer's own propagation delay
 * (divided by --speed). Changes are applied in order, so a short delay never overtakes a long one.
 */
export class DelayedEndpoints extends EventEmitter implements EndpointView {
  endpoints: Endpoint[] = [];
  private readonly queue: { at: number; endpoints: Endpoint[] }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    source: EndpointSlice,
    private readonly delayMs: () => number,
  ) {
    super();
    this.endpoints = [...source.endpoints];
    source.on('change', (next: Endpoint[]) => this.schedule(next));
  }

  private schedule(next: Endpoint[]): void {
    if (this.closed) return;
    const last = this.queue[this.queue.length - 1];
    const at = Math.max(last?.at ?? 0, performance.now() + this.delayMs());
    this.queue.push({ at, endpoints: next });
    if (!this.timer) this.arm();
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head || this.closed) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => this.apply(), Math.max(0, head.at - performance.now()));
  }

  private apply(): void {
    const now = performance.now();
    let applied: Endpoint[] | undefined;
    while (this.queue.length > 0 && (this.queue[0] as { at: number }).at <= now + 1) {
      applied = (this.queue.shift() as { endpoints: Endpoint[] }).endpoints;
    }
    if (applied) {
      this.endpoints = applied;
      this.emit('change', applied);
    }
    this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }
}

/** Builds the delay function of one consumer. */
export function consumerDelay(consumer: Consumer, mode: PropagationMode, speed: number): () => number {
  return () => scaledMs(propagationSeconds(consumer, mode), speed);
}
