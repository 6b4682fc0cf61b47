import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PortPool } from '../src/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'zerodrop-ports-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A free port of the ephemeral range (the OS's choice), for a range of one port. */
async function somePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('two pools side by side never hand out the same port; each port is free and claimed until released', async () => {
  const a = new PortPool({ dir });
  const b = new PortPool({ dir });
  const taken = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < 40; i++) {
    taken.a.push(await a.take());
    taken.b.push(await b.take());
  }
  const all = [...taken.a, ...taken.b];
  assert.equal(new Set(all).size, all.length, 'a port handed out twice');
  for (const port of taken.a) assert.equal(readFileSync(join(dir, String(port)), 'utf8'), String(process.pid));
  a.release();
  b.release();
  for (const port of all) assert.equal(existsSync(join(dir, String(port))), false);
});

test('a port of a live claim or in use is skipped; a claim whose process is gone is taken over', async () => {
  const port = await somePort();
  const range = { from: port, to: port + 1 };
  const first = new PortPool({ dir, range });
  assert.equal(await first.take(), port);
  await assert.rejects(new PortPool({ dir, range }).take(), /no free port/);
  first.release();

  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  writeFileSync(join(dir, String(port)), dead);
  const heir = new PortPool({ dir, range });
  assert.equal(await heir.take(), port);
  heir.release();

  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(port, resolve));
  try {
    await assert.rejects(new PortPool({ dir, range }).take(), /no free port/);
    assert.equal(existsSync(join(dir, String(port))), false, 'the claim of a port in use is given back');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
