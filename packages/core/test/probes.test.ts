import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependencyCheckOf, type Probe, resolveProbe, sameProbeTarget, shellScriptOf } from '../src/index.js';

const check = (probe: Probe) => dependencyCheckOf(resolveProbe(probe).handler);

test('resolveProbe keeps a written host on httpGet and tcpSocket', () => {
  assert.deepEqual(resolveProbe({ tcpSocket: { port: 5432, host: 'db' } }).handler, {
    type: 'tcpSocket',
    port: 5432,
    host: 'db',
  });
  assert.equal('host' in (resolveProbe({ httpGet: { path: '/live', port: 80 } }).handler ?? {}), false);
  assert.equal(
    sameProbeTarget(
      resolveProbe({ httpGet: { path: '/h', port: 80, host: 'a' } }),
      resolveProbe({ httpGet: { path: '/h', port: 80 } }),
    ),
    false,
  );
});

test('dependency checks: readiness and dependency words in the path, whole words only', () => {
  assert.match(check({ httpGet: { path: '/ready', port: 80 } }) ?? '', /"ready" in the path/);
  assert.match(check({ httpGet: { path: '/health/readiness', port: 80 } }) ?? '', /"readiness"/);
  assert.match(check({ httpGet: { path: '/readyz', port: 80 } }) ?? '', /"readyz"/);
  assert.match(check({ httpGet: { path: '/api/health/db', port: 80 } }) ?? '', /"db"/);
  assert.match(check({ httpGet: { path: '/health?include=redis', port: 80 } }) ?? '', /"redis"/);
  assert.match(check({ httpGet: { path: '/actuator/health/', port: 80 } }) ?? '', /Spring Boot's aggregate/);
  assert.equal(check({ httpGet: { path: '/actuator/health/liveness', port: 80 } }), undefined);
  for (const path of ['/live', '/livez', '/healthz', '/health', '/already', '/dbg', '/ping', '/q/health/live'])
    assert.equal(check({ httpGet: { path, port: 80 } }), undefined, path);
});

test('dependency checks: another host in httpGet/tcpSocket; the pod itself is fine', () => {
  assert.match(check({ tcpSocket: { port: 5432, host: 'db.internal' } }) ?? '', /another host \(db.internal:5432\)/);
  assert.match(check({ httpGet: { path: '/live', port: 80, host: 'auth' } }) ?? '', /another host \(auth\)/);
  assert.equal(check({ tcpSocket: { port: 8080, host: '127.0.0.1' } }), undefined);
  assert.equal(check({ tcpSocket: { port: 8080 } }), undefined);
});

test('dependency checks: exec clients against another host, not against the container itself', () => {
  assert.match(check({ exec: { command: ['pg_isready', '-h', 'db', '-p', '5432'] } }) ?? '', /pg_isready .*\(db\)/);
  assert.match(check({ exec: { command: ['sh', '-c', 'redis-cli -h $REDIS_HOST ping'] } }) ?? '', /\$REDIS_HOST/);
  assert.match(check({ exec: { command: ['psql', '--host=pg.prod', '-c', 'select 1'] } }) ?? '', /pg.prod/);
  assert.match(check({ exec: { command: ['sh', '-c', 'nc -z kafka 9092'] } }) ?? '', /nc .*\(kafka\)/);
  assert.match(check({ exec: { command: ['curl', '-f', 'http://payments:8080/health'] } }) ?? '', /\(payments\)/);
  assert.match(
    check({ exec: { command: ['/bin/sh', '-c', 'wget -qO- "http://localhost:8080/ready"'] } }) ?? '',
    /GET \/ready looks like a readiness/,
  );
  // A database probing its own server, and a local shallow endpoint, are not dependency checks.
  assert.equal(check({ exec: { command: ['pg_isready', '-U', 'postgres', '-h', '127.0.0.1'] } }), undefined);
  assert.equal(check({ exec: { command: ['redis-cli', 'ping'] } }), undefined);
  assert.equal(check({ exec: { command: ['sh', '-c', 'curl -fs http://localhost:8080/live'] } }), undefined);
  assert.equal(check({ exec: { command: ['/app/healthcheck'] } }), undefined);
  assert.equal(check({ exec: { command: ['curl', '-H', 'Host: api', 'http://127.0.0.1:8080/live'] } }), undefined);
});

test('dependency checks: a gRPC service name', () => {
  assert.match(check({ grpc: { port: 9000, service: 'readiness' } }) ?? '', /gRPC service "readiness"/);
  assert.equal(check({ grpc: { port: 9000 } }), undefined);
  assert.equal(check({}), undefined);
});

test('shellScriptOf: the script of sh -c, bash -ec; nothing for other argv', () => {
  assert.equal(shellScriptOf(['/bin/sh', '-c', 'sleep 5']), 'sleep 5');
  assert.equal(shellScriptOf(['bash', '-ec', 'x']), 'x');
  assert.equal(shellScriptOf(['sleep', '5']), undefined);
  assert.equal(shellScriptOf(['sh', 'script.sh']), undefined);
});
