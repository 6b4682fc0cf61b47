import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Manifests in the shapes real ones take, for the property tests: every kind the model reads, the fields rules
 * look at, and the YAML people write (flow maps, comments, quoted numbers, named ports, List kinds). The examples
 * of this repository are added to them, and the manifests under ZERODROP_CORPUS when that names a folder (e.g.
 * public manifests kept outside the repository).
 */
const SEEDS: string[] = [
  `# The storefront: web tier, its Service, Ingress, autoscaler and budget.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: shop
  labels: {app.kubernetes.io/name: storefront, app.kubernetes.io/part-of: shop}
  annotations:
    deployment.kubernetes.io/revision: "7"
spec:
  replicas: 3
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
  selector:
    matchLabels: {app.kubernetes.io/name: storefront}
  template:
    metadata:
      labels: {app.kubernetes.io/name: storefront, version: "2.4"}
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9090"}
    spec:
      serviceAccountName: storefront
      terminationGracePeriodSeconds: 45
      initContainers:
        - name: migrate
          image: ghcr.io/shop/storefront:2.4.1
          command: ["./migrate", "--wait"]
      containers:
        - name: web
          image: ghcr.io/shop/storefront:2.4.1
          args: ["--port=8080", "--metrics-port=9090"]
          ports:
            - {name: http, containerPort: 8080, protocol: TCP}
            - {name: metrics, containerPort: 9090}
          env:
            - {name: NODE_ENV, value: production}
            - name: DATABASE_URL
              valueFrom: {secretKeyRef: {name: storefront-db, key: url}}
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: "1", memory: 512Mi}
          startupProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 5
            failureThreshold: 30
          readinessProbe:
            httpGet: {path: /ready, port: http, scheme: HTTP}
            periodSeconds: 5
            timeoutSeconds: 2
          livenessProbe:
            httpGet: {path: /healthz, port: http}
            initialDelaySeconds: 10
            failureThreshold: 6
          lifecycle:
            preStop:
              exec: {command: ["sh", "-c", "sleep 10"]}
        - name: proxy
          image: envoyproxy/envoy:v1.29.1
          ports: [{containerPort: 15001}]
---
apiVersion: v1
kind: Service
metadata: {name: storefront, namespace: shop}
spec:
  type: ClusterIP
  selector: {app.kubernetes.io/name: storefront}
  ports:
    - {name: http, port: 80, targetPort: http}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: storefront
  namespace: shop
  annotations: {nginx.ingress.kubernetes.io/proxy-body-size: 8m}
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: storefront, port: {name: http}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: storefront, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: storefront}
  minReplicas: 2
  maxReplicas: 12
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: storefront, namespace: shop}
spec:
  minAvailable: "50%"
  selector:
    matchLabels: {app.kubernetes.io/name: storefront}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: storefront, namespace: shop}
`,
  `# GKE: a gRPC service behind a NEG, with a BackendConfig and a HealthCheckPolicy.
apiVersion: apps/v1
kind: Deployment
metadata: {name: pricing}
spec:
  replicas: 4
  selector: {matchLabels: {app: pricing}}
  template:
    metadata: {labels: {app: pricing}}
    spec:
      containers:
        - name: server
          image: gcr.io/acme/pricing@sha256:0d2c2d9c1a8f0f3b5c6e6f8e9a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3
          ports: [{name: grpc, containerPort: 50051}]
          readinessProbe:
            grpc: {port: 50051}
          livenessProbe:
            tcpSocket: {port: grpc}
            periodSeconds: 20
          lifecycle: {preStop: {sleep: {seconds: 20}}}
---
apiVersion: v1
kind: Service
metadata:
  name: pricing
  annotations:
    cloud.google.com/neg: '{"ingress": true}'
    cloud.google.com/backend-config: '{"default": "pricing-bc"}'
spec:
  selector: {app: pricing}
  ports: [{port: 443, targetPort: 50051, name: grpc}]
---
apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata: {name: pricing-bc}
spec:
  healthCheck: {checkIntervalSec: 10, timeoutSec: 5, unhealthyThreshold: 3, requestPath: /healthz, port: 8081}
---
apiVersion: networking.gke.io/v1
kind: HealthCheckPolicy
metadata: {name: pricing}
spec:
  default:
    checkIntervalSec: 5
    unhealthyThreshold: 2
    config:
      type: HTTP
      httpHealthCheck: {requestPath: /ready, port: 8081}
  targetRef: {group: "", kind: Service, name: pricing}
`,
  `# AWS: an API behind an ALB Ingress and an NLB Service, and a TargetGroupBinding.
apiVersion: apps/v1
kind: Deployment
metadata: {name: orders, namespace: prod}
spec:
  replicas: 6
  strategy: {rollingUpdate: {maxSurge: 2, maxUnavailable: 0}}
  minReadySeconds: 5
  progressDeadlineSeconds: 300
  selector: {matchLabels: {app: orders}}
  template:
    metadata:
      labels: {app: orders}
      annotations: {zerodrop.dev/ignore: "cpu-limit-set"}
    spec:
      terminationGracePeriodSeconds: 120
      containers:
        - name: api
          image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:3.2.0
          command: [java, -jar, /app/orders.jar]
          ports: [{containerPort: 8080, name: web}]
          readinessProbe: {httpGet: {path: /actuator/health/readiness, port: web}}
          livenessProbe: {httpGet: {path: /actuator/health/liveness, port: web}, failureThreshold: 5}
          lifecycle: {preStop: {httpGet: {path: /drain, port: web}}}
          resources: {limits: {memory: 1Gi}}
---
apiVersion: v1
kind: Service
metadata:
  name: orders
  namespace: prod
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: external
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip
    service.beta.kubernetes.io/aws-load-balancer-healthcheck-path: /actuator/health
    service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: deregistration_delay.timeout_seconds=30
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: orders}
  ports: [{port: 443, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: orders
  namespace: prod
  annotations:
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/healthcheck-path: /actuator/health/readiness
    alb.ingress.kubernetes.io/healthcheck-interval-seconds: "10"
    alb.ingress.kubernetes.io/unhealthy-threshold-count: "2"
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: orders, port: {number: 443}}}
---
apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata: {name: orders, namespace: prod}
spec:
  serviceRef: {name: orders, port: 443}
  targetGroupARN: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0123456789abcdef
`,
  `# A database, a node agent and a batch job.
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg}
spec:
  serviceName: pg
  replicas: 3
  podManagementPolicy: Parallel
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
  selector: {matchLabels: {app: pg}}
  template:
    metadata: {labels: {app: pg}}
    spec:
      containers:
        - name: postgres
          image: postgres:16.2
          ports: [{containerPort: 5432, name: pg}]
          readinessProbe: {exec: {command: [pg_isready, -h, localhost]}}
          livenessProbe: {exec: {command: [psql, -h, pg-primary, -c, "select 1"]}}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: pg}
spec:
  clusterIP: None
  selector: {app: pg}
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent, namespace: kube-system}
spec:
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 10%}}
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent}}
    spec:
      hostNetwork: true
      containers:
        - name: agent
          image: gcr.io/distroless/static:nonroot
          ports: [{containerPort: 9100, hostPort: 9100}]
          lifecycle: {preStop: {exec: {command: [/bin/sleep, "5"]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: report, image: "acme/report:1.0"}]
`,
  `# Argo Rollouts, a bare Pod, a List, a Namespace with injection, and kinds no rule reads.
apiVersion: v1
kind: Namespace
metadata: {name: mesh, labels: {istio-injection: enabled}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: checkout, namespace: mesh}
spec:
  replicas: 5
  strategy:
    canary:
      maxSurge: "20%"
      maxUnavailable: 0
      steps: [{setWeight: 20}, {pause: {duration: 60}}]
  selector: {matchLabels: {app: checkout}}
  template:
    metadata: {labels: {app: checkout}}
    spec:
      containers:
        - name: checkout
          image: acme/checkout:latest
          command: [npm, start]
          ports: [{containerPort: 3000}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: search, namespace: mesh}
spec:
  replicas: 2
  strategy: {blueGreen: {activeService: search, autoPromotionEnabled: false}}
  selector: {matchLabels: {app: search}}
  template:
    metadata: {labels: {app: search}}
    spec:
      containers: [{name: search, image: "acme/search:5", ports: [{containerPort: 9200}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  containers:
    - name: shell
      image: busybox
      command: ["/bin/sh", "-c", "while true; do sleep 3600; done"]
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: checkout, namespace: mesh}
    spec: {selector: {app: checkout}, ports: [{port: 80, targetPort: 3000}]}
  - apiVersion: policy/v1beta1
    kind: PodDisruptionBudget
    metadata: {name: checkout, namespace: mesh}
    spec: {maxUnavailable: 0, selector: {matchLabels: {app: checkout}}}
---
apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata: {name: legacy}
spec: {replicas: 2, template: {spec: {containers: [{name: a, image: a}]}}}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: checkout, namespace: mesh}
spec:
  selector: {matchLabels: {app: checkout}}
  endpoints: [{port: http, interval: 30s}]
`,
];

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

/** The YAML and JSON files under a folder, walked in name order (node_modules and dot-folders left out). */
export function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.(ya?ml|json)$/.test(name)) out.push(path);
  }
  return out;
}

/** The seed manifests: the ones above, this repository's examples, and ZERODROP_CORPUS's when set. */
export function seedManifests(): { file: string; text: string }[] {
  const seeds = SEEDS.map((text, i) => ({ file: `seed-${i}.yaml`, text }));
  for (const path of yamlFiles(join(repoRoot, 'examples'), [])) {
    if (path.endsWith('.zerodrop.yaml')) continue;
    seeds.push({ file: path.slice(repoRoot.length), text: readFileSync(path, 'utf8') });
  }
  const corpus = process.env.ZERODROP_CORPUS;
  if (corpus) for (const path of yamlFiles(corpus, [])) seeds.push({ file: path, text: readFileSync(path, 'utf8') });
  return seeds;
}
