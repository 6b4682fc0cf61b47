import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { graceful } from '../src/index.js';
import { inProcess } from './support/server.js';

/** A throwaway self-signed certificate, or the reason there is none. */
function selfSigned(): { key: Buffer; cert: Buffer } | string {
  const dir = mkdtempSync(join(tmpdir(), 'zerodrop-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch (error) {
    return `openssl could not make a test certificate: ${(error as Error).message}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function get(
  agent: https.Agent,
  port: number,
  path: string,
): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path, agent, rejectUnauthorized: false }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      })
      .on('error', reject);
  });
}

test('https: TLS sockets are tracked, draining answers with Connection: close, the drain completes', async (t) => {
  const tls = selfSigned();
  if (typeof tls === 'string') return t.skip(tls);
  const server = https.createServer(tls, (req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('slow'), 200);
    else res.end('ok');
  });
  const handle = graceful(server, inProcess);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  assert.deepEqual(await get(agent, port, '/health/ready'), { status: 200, connection: 'keep-alive' });
  assert.equal(handle.open().sockets, 1, 'the TLS socket is tracked');
  const slow = get(agent, port, '/slow');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closed = handle.shutdown('test', { drainDelay: 100 });
  assert.deepEqual(
    await slow,
    { status: 200, connection: 'close' },
    'in flight at the first sign: still told to leave',
  );
  const result = await closed;
  assert.equal(result.exitCode, 0);
  assert.equal(handle.open().sockets, 0);
});
