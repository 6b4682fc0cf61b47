import { EventEmitter } from 'node:events';
import type { HealthCheck } from '@zerodrop/core';
import type { Endpoint, EndpointView } from '../endpoints.js';
import { httpCheck, ProbeThreshold } from '../probe.js';
import { scaledMs } from '../settings.js';
import { L7Proxy } from './l7.js';

const HEALTH_CHECK_USER_AGENT = 'GoogleHC/1.0 (zerodrop rehearse)';

interface Backend {
  endpoint: Endpoint;
  threshold: ProbeThreshold;
  timer: NodeJS.Timeout | undefined;
}

export interface ExternalLoadBalancerOptions {
  healthCheck: HealthCheck;
  /** The path the LB checks (the profile's, else the readiness probe's httpGet path, else "/"). */
  path: string;
  speed: number;
}

/**
 * An external load balancer like a GKE NEG or an AWS ALB: an L7 proxy whose backends are the endpoints it has
 * learned of (after its own propagation delay: the NEG detach or target deregistration), minus the ones its own
 * health check finds unhealthy (interval, timeout, healthy and unhealthy thresholds, divided by --speed). A new
 * backend starts unhealthy. Emits 'health' when a backend's health changes (readiness gates listen to it).
 */
export class ExternalLoadBalancer extends EventEmitter {
  readonly proxy: L7Proxy;
  private readonly backends = new Map<string, Backend>();
  private closed = false;

  constructor(
    private readonly view: EndpointView,
    private readonly options: ExternalLoadBalancerOptions,
  ) {
    super();
    this.proxy = new L7Proxy(view, {
      candidates: (endpoints) => endpoints.filter((e) => !e.terminating),
      eligible: (e) => this.isHealthy(e.pod),
    });
    view.on('change', () => this.sync());
    this.sync();
  }

  listen(): Promise<number> {
    return this.proxy.listen();
  }

  get port(): number {
    return this.proxy.port;
  }

  /** The endpoints it sends requests to: attached and healthy. */
  routable(): Endpoint[] {
    return this.proxy.routable();
  }

  /** The LB has the pod attached and its health check passes. */
  isHealthy(pod: string): boolean {
    return this.backends.get(pod)?.threshold.result === 'success';
  }

  private sync(): void {
    if (this.closed) return;
    const attached = new Map(this.view.endpoints.filter((e) => !e.terminating).map((e) => [e.pod, e]));
    for (const [pod, backend] of this.backends) {
      if (!attached.has(pod)) {
        if (backend.timer) clearTimeout(backend.timer);
        const wasHealthy = backend.threshold.result === 'success';
        this.backends.delete(pod);
        if (wasHealthy) this.emit('health', pod, false);
      }
    }
    for (const [pod, endpoint] of attached) {
      const known = this.backends.get(pod);
      if (known) {
        known.endpoint = endpoint;
        continue;
      }
      const { healthyThreshold, unhealthyThreshold } = this.options.healthCheck;
      const backend: Backend = {
        endpoint,
        threshold: new ProbeThreshold(
          { successThreshold: healthyThreshold, failureThreshold: unhealthyThreshold },
          'failure',
        ),
        timer: undefined,
      };
      this.backends.set(pod, backend);
      void this.check(pod, backend);
    }
  }

  private async check(pod: string, backend: Backend): Promise<void> {
    const { intervalSeconds, timeoutSeconds } = this.options.healthCheck;
    const intervalMs = scaledMs(intervalSeconds, this.options.speed);
    const began = performance.now();
    const ok = await httpCheck(
      backend.endpoint.port,
      this.options.path,
      Math.max(50, Math.min(timeoutSeconds * 1000, intervalMs)),
      HEALTH_CHECK_USER_AGENT,
      backend.endpoint.host,
    );
    if (this.closed || this.backends.get(pod) !== backend) return;
    if (backend.threshold.observe(ok ? 'success' : 'failure')) this.emit('health', pod, ok);
    backend.timer = setTimeout(
      () => void this.check(pod, backend),
      Math.max(0, intervalMs - (performance.now() - began)),
    );
  }

  close(): Promise<void> {
    this.closed = true;
    for (const b of this.backends.values()) if (b.timer) clearTimeout(b.timer);
    this.backends.clear();
    return this.proxy.close();
  }
}
