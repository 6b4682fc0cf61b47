/**
 * Endpoint consumers: everything that sends traffic to a pod and must learn it is going away.
 * Each number is the delay d_i after t0 (pod deleted) until the consumer stops sending NEW requests.
 * Sources are listed per consumer; values marked as reports are defaults meant to be overridden in `.zerodrop.yaml`.
 */
export type ConsumerKind = 'l4' | 'l7' | 'external-lb';

export interface Consumer {
  id: string;
  kind: ConsumerKind;
  /** How the consumer learns the pod is leaving. */
  how: string;
  /** Usual delay and the worst case to plan for, in seconds after t0. */
  propagation: { typicalSeconds: number; worstSeconds: number };
  /** An open TCP connection stays routed to the old pod after removal (L4 DNAT). */
  pinsConnections: boolean;
  sources: string[];
}

/** An external load balancer's health check, when it decides by probing the pod. */
export interface HealthCheck {
  intervalSeconds: number;
  timeoutSeconds: number;
  unhealthyThreshold: number;
  healthyThreshold: number;
  path?: string;
  port?: number | string;
}

export type ProfileId =
  | 'kube-proxy'
  | 'ingress-nginx'
  | 'gke-neg'
  | 'aws-alb'
  | 'aws-nlb'
  | 'aws-nlb-instance'
  | 'istio';

export interface LoadBalancerProfile {
  id: ProfileId;
  title: string;
  /** Every consumer on the path, in the order traffic passes them. */
  consumers: Consumer[];
  /** Present for profiles whose external LB health-checks the pod. */
  healthCheck?: HealthCheck;
}

export const PROFILE_IDS: readonly ProfileId[] = [
  'kube-proxy',
  'ingress-nginx',
  'gke-neg',
  'aws-alb',
  'aws-nlb',
  'aws-nlb-instance',
  'istio',
];

const KUBE_PROXY: Consumer = {
  id: 'kube-proxy',
  kind: 'l4',
  how: 'watches EndpointSlices; each node reprograms iptables/IPVS after a watch lag plus up to minSyncPeriod (1 s)',
  propagation: { typicalSeconds: 1, worstSeconds: 2 },
  pinsConnections: true,
  sources: [
    'kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy (--iptables-min-sync-period 1s)',
    'KEP-1669 proxy terminating endpoints',
  ],
};

/** Default GKE NEG health check used when no HealthCheckPolicy/BackendConfig says otherwise. */
export const GKE_DEFAULT_HEALTH_CHECK: HealthCheck = {
  intervalSeconds: 5,
  timeoutSeconds: 5,
  unhealthyThreshold: 2,
  healthyThreshold: 2,
};

/** The NLB health check assumed when no `aws-load-balancer-healthcheck-*` annotation says otherwise. */
const AWS_NLB_HEALTH_CHECK: HealthCheck = {
  intervalSeconds: 10,
  timeoutSeconds: 6,
  unhealthyThreshold: 2,
  healthyThreshold: 3,
};

/** AWS target groups keep a deregistered target draining this long unless `deregistration_delay.timeout_seconds` is set. */
export const AWS_DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;

/** Worst-case seconds for a health-checking LB to mark a backend down: interval x unhealthy threshold + one timeout. */
export function healthCheckDetectionSeconds(hc: HealthCheck): number {
  return hc.intervalSeconds * hc.unhealthyThreshold + hc.timeoutSeconds;
}

function gkeNeg(hc: HealthCheck): Consumer {
  const worst = healthCheckDetectionSeconds(hc);
  return {
    id: 'gke-neg',
    kind: 'external-lb',
    how: `Google Cloud LB: NEG detach on EndpointSlice change, or health check ${hc.intervalSeconds}s x ${hc.unhealthyThreshold} failures (+${hc.timeoutSeconds}s timeout)`,
    propagation: { typicalSeconds: hc.intervalSeconds * hc.unhealthyThreshold, worstSeconds: worst },
    pinsConnections: false,
    sources: [
      'cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing (graceful termination)',
      'cloud.google.com/load-balancing/docs/health-check-concepts (defaults)',
    ],
  };
}

/** Builds a profile; `healthCheck` overrides the external LB's health check where the profile has one. */
export function getProfile(id: ProfileId, healthCheck?: Partial<HealthCheck>): LoadBalancerProfile {
  switch (id) {
    case 'kube-proxy':
      return { id, title: 'Service (ClusterIP/NodePort) through kube-proxy', consumers: [KUBE_PROXY] };
    case 'ingress-nginx':
      return {
        id,
        title: 'ingress-nginx routing to pod IPs',
        consumers: [
          KUBE_PROXY,
          {
            id: 'ingress-nginx',
            kind: 'l7',
            how: 'controller watches EndpointSlices; Lua balancer syncs every 1 s, rate-limited (--sync-rate-limit 0.3/s)',
            propagation: { typicalSeconds: 1.5, worstSeconds: 4.3 },
            pinsConnections: false,
            sources: ['kubernetes.github.io/ingress-nginx/user-guide/cli-arguments (--sync-rate-limit)'],
          },
        ],
      };
    case 'gke-neg': {
      const hc = { ...GKE_DEFAULT_HEALTH_CHECK, ...healthCheck };
      return {
        id,
        title: 'GKE Ingress/Gateway with container-native NEG',
        consumers: [KUBE_PROXY, gkeNeg(hc)],
        healthCheck: hc,
      };
    }
    case 'aws-alb':
      return {
        id,
        title: 'AWS Load Balancer Controller, ALB with ip targets',
        consumers: [
          KUBE_PROXY,
          {
            id: 'aws-alb',
            kind: 'external-lb',
            how: 'controller deregisters the target; the ALB keeps routing until deregistration takes effect (reported 25-70 s, up to ~2 min)',
            propagation: { typicalSeconds: 30, worstSeconds: 70 },
            pinsConnections: false,
            sources: [
              'github.com/kubernetes-sigs/aws-load-balancer-controller issues 1064, 2106, 2366, 3270 (reports)',
              'kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate',
            ],
          },
        ],
        healthCheck: {
          intervalSeconds: 15,
          timeoutSeconds: 5,
          unhealthyThreshold: 2,
          healthyThreshold: 5,
          ...healthCheck,
        },
      };
    case 'aws-nlb':
      return {
        id,
        title: 'AWS Load Balancer Controller, NLB with ip targets',
        consumers: [
          KUBE_PROXY,
          {
            id: 'aws-nlb',
            kind: 'external-lb',
            how: 'controller deregisters the target; NLB deregistration is slower than ALB (reported up to ~2 min)',
            propagation: { typicalSeconds: 60, worstSeconds: 120 },
            pinsConnections: true,
            sources: ['github.com/kubernetes-sigs/aws-load-balancer-controller issues 2366, 3270 (reports)'],
          },
        ],
        healthCheck: { ...AWS_NLB_HEALTH_CHECK, ...healthCheck },
      };
    case 'aws-nlb-instance': {
      // Instance targets are the nodes. With externalTrafficPolicy Local each node answers the NLB's health check
      // (the Service's healthCheckNodePort) only while it has a ready endpoint; until the NLB has seen enough failed
      // checks it keeps opening connections to the node, and kube-proxy hands them to the terminating pod.
      const hc = { ...AWS_NLB_HEALTH_CHECK, ...healthCheck };
      const worst = healthCheckDetectionSeconds(hc);
      return {
        id,
        title: 'AWS NLB with instance targets and externalTrafficPolicy Local',
        consumers: [
          KUBE_PROXY,
          {
            id: 'aws-nlb-instance',
            kind: 'external-lb',
            how: `NLB health check of the node's healthCheckNodePort, ${hc.intervalSeconds}s x ${hc.unhealthyThreshold} failures (+${hc.timeoutSeconds}s timeout), fails once the node has no ready endpoint`,
            propagation: { typicalSeconds: hc.intervalSeconds * hc.unhealthyThreshold, worstSeconds: worst },
            pinsConnections: true,
            sources: [
              'kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/nlb (instance mode: kube-proxy forwards)',
              'kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer (healthCheckNodePort)',
              'KEP-1669 proxy terminating endpoints (externalTrafficPolicy Local)',
            ],
          },
        ],
        healthCheck: hc,
      };
    }
    case 'istio':
      return {
        id,
        title: 'Istio sidecars (Envoy) in front of the app',
        consumers: [
          {
            id: 'istio-envoy',
            kind: 'l7',
            how: 'istiod pushes endpoint changes to client-side Envoys over xDS; the pod sidecar drains for terminationDrainDuration (5 s)',
            propagation: { typicalSeconds: 2, worstSeconds: 5 },
            pinsConnections: false,
            sources: ['istio.io/latest/docs/reference/config/istio.mesh.v1alpha1 (terminationDrainDuration)'],
          },
        ],
      };
  }
}

/** True when `value` names a known profile. */
export function isProfileId(value: unknown): value is ProfileId {
  return typeof value === 'string' && (PROFILE_IDS as readonly string[]).includes(value);
}

/** The consumer that learns last, i.e. max d_i, in the worst case. */
export function slowestConsumer(profile: LoadBalancerProfile): Consumer {
  return profile.consumers.reduce((a, b) => (b.propagation.worstSeconds > a.propagation.worstSeconds ? b : a));
}
