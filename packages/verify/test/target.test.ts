import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensurePki, pkiPaths } from '@zerodrop/cluster';
import type { VerifyError } from '../src/errors.js';
import { checkReachable, parseTarget, probeUrl } from '../src/target.js';

const scratch = mkdtempSync(join(tmpdir(), 'zerodrop-verify-target-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

test('parseTarget: host, port and path; --path replaces the URL’s; not a URL is a clear error', () => {
  assert.deepEqual(parseTarget('http://203.0.113.7:30080/shop?x=1'), {
    target: { protocol: 'http:', host: '203.0.113.7', port: 30080 },
    path: '/shop?x=1',
    href: 'http://203.0.113.7:30080/shop?x=1',
  });
  assert.deepEqual(parseTarget('https://shop.example.com', '/health').target, {
    protocol: 'https:',
    host: 'shop.example.com',
    port: 443,
  });
  assert.equal(parseTarget('http://[::1]:8080/').target.host, '::1');
  assert.throws(() => parseTarget('shop'), /--url shop is not a URL/);
  assert.throws(() => parseTarget('ws://x/'), /only http:\/\/ and https:\/\/ are measured/);
  assert.throws(() => parseTarget('http://x/', 'health'), /--path health must start with \//);
});

test('checkReachable: an answer passes, a refused connection or a 5xx is URL_UNREACHABLE', async () => {
  let status = 200;
  const server = http.createServer((_req, res) => {
    res.statusCode = status;
    res.end();
  });
  const port = await listen(server);
  try {
    assert.deepEqual(await checkReachable(parseTarget(`http://127.0.0.1:${port}/`), 2000), { status: 200 });
    status = 503;
    await assert.rejects(checkReachable(parseTarget(`http://127.0.0.1:${port}/`), 2000), (e: VerifyError) => {
      assert.equal(e.code, 'URL_UNREACHABLE');
      assert.match(e.message, /answers 503 before anything was changed/);
      return true;
    });
  } finally {
    server.close();
  }
  await assert.rejects(
    checkReachable(parseTarget(`http://127.0.0.1:${port}/`), 2000),
    /does not answer \(ECONNREFUSED\)/,
  );
});

test('https: a certificate the machine does not trust is named; NODE_EXTRA_CA_CERTS makes it trusted', async () => {
  const pki = pkiPaths(join(scratch, 'pki'));
  ensurePki(pki.dir, ['127.0.0.1']);
  const server = https.createServer(
    { cert: readFileSync(pki.apiserverCert), key: readFileSync(pki.apiserverKey) },
    (_req, res) => res.end('ok'),
  );
  const port = await listen(server);
  try {
    const untrusted = await probeUrl(parseTarget(`https://127.0.0.1:${port}/`), 2000);
    assert.ok('error' in untrusted && /CERT|SIGNATURE|ISSUER/.test(untrusted.error), JSON.stringify(untrusted));
    // The CA is read at start: another process, with the load generator's HTTPS path too.
    const script = `
      import { LoadGenerator } from '@zerodrop/rehearse';
      import { parseTarget, probeUrl } from '@zerodrop/verify';
      const url = parseTarget('https://127.0.0.1:${port}/');
      const records = [];
      const load = new LoadGenerator(url.target, { rate: 50, connections: 2, path: '/', mix: [], timeoutMs: 2000, retries: 0 }, (r) => records.push(r));
      load.start();
      await new Promise((r) => setTimeout(r, 300));
      await load.stop();
      console.log(JSON.stringify({ probe: await probeUrl(url, 2000), outcomes: [...new Set(records.map((r) => r.outcome))] }));
    `;
    // Spawned, not spawnSync: the server answers from this process's event loop.
    const child = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
        env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caCert },
      });
      let out = '';
      p.stdout.on('data', (c: Buffer) => {
        out += c;
      });
      p.on('close', () => resolve(out));
    });
    assert.deepEqual(JSON.parse(child), { probe: { status: 200 }, outcomes: ['ok'] });
  } finally {
    server.close();
  }
});
