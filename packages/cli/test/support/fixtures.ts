/**
 * The files CLI tests run on, written to a temp folder per test. Kept as strings so formatters never rewrite them
 * (an unrendered Helm template is not valid YAML to a formatter).
 */
export const FIXTURES: Record<string, string> = {
  'good/web.yaml': `# A web service that passes every zerodrop rule.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: app
          image: ghcr.io/acme/web:1.4.2
          command: ["node", "server.js"]
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet: {path: /ready, port: http}
          livenessProbe:
            httpGet: {path: /live, port: http}
            failureThreshold: 6
          lifecycle:
            preStop:
              sleep:
                seconds: 3
          resources:
            limits: {memory: 256Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: http
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: web
`,
  'good/Dockerfile': 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD ["node", "server.js"]\n',
  'bad/api.yaml': `# The API, as first written.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api   # public API
spec:
  replicas: 4
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/api:2.0.3
          ports:
            - containerPort: 3000
          readinessProbe:
            httpGet:
              path: /health
              port: 3000
          livenessProbe:
            httpGet:
              path: /health
              port: 3000
          resources:
            limits: {memory: 256Mi}
---
not: a kubernetes object
`,
  'bad/Dockerfile': 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD npm start\n',
  'broken.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\n',
  'helm.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n',
};
