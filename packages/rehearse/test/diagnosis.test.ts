import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  diagnoseExit,
  diagnoseNotListening,
  diagnoseWrongPort,
  formatDiagnosis,
  quotedOutput,
} from '../src/diagnosis.js';
import { parseListeningSockets, parseStat } from '../src/procfs.js';
import type { PodRecord, RehearsalResult } from '../src/result.js';
import { uncleanExits, verdictOf } from '../src/verdict.js';

/** Node's output for `app.listen(3000)` when 3000 is taken: the message scrolls above the error object. */
const EADDRINUSE = [
  'node:events:497',
  '      throw er; // Unhandled error event',
  '      ^',
  '',
  'Error: listen EADDRINUSE: address already in use :::3000',
  '    at Server.setupListenHandle [as _listen2] (node:net:1908:16)',
  '    at listenInCluster (node:net:1965:12)',
  "Emitted 'error' event on Server instance at:",
  '    at emitErrorNT (node:net:1944:8)',
  "  code: 'EADDRINUSE',",
  '  errno: -98,',
  "  syscall: 'listen',",
  "  address: '::',",
  '  port: 3000',
  '}',
  'Node.js v20.20.2',
].filter(Boolean);

describe('diagnosis', () => {
  test('EADDRINUSE: names the fixed port and what to change; quotes the error line above the trace', () => {
    const d = diagnoseExit('old-2', 24567, { code: 1, signal: null }, { stderr: EADDRINUSE, stdout: [] }, false);
    assert.equal(
      d.message,
      "replica old-2 exited (code 1) before it became ready: EADDRINUSE :3000 — the app listens on a fixed port (3000); make it listen on process.env.PORT (this replica's is 24567)",
    );
    assert.equal(d.output?.[0], 'Error: listen EADDRINUSE: address already in use :::3000');
    assert.equal(d.output?.[1], '…');
    assert.equal(d.output?.at(-1), 'Node.js v20.20.2');
  });

  test('the port from the error object when the message line is not there', () => {
    const d = diagnoseExit('old-1', 1, { code: 1, signal: null }, { stderr: EADDRINUSE.slice(-7), stdout: [] }, true);
    assert.match(d.message, /exited \(code 1\) while serving: EADDRINUSE :3000/);
  });

  test('a missing module, an unknown failure, a silent one', () => {
    const module = diagnoseExit(
      'old-1',
      1,
      { code: 1, signal: null },
      { stderr: ["Error: Cannot find module '/app/dist/server.js'"], stdout: [] },
      false,
    );
    assert.match(module.message, /cannot find module \/app\/dist\/server\.js — build the app first/);
    const unknown = diagnoseExit('old-1', 1, { code: 3, signal: null }, { stderr: [], stdout: ['bye'] }, false);
    assert.match(unknown.message, /exited \(code 3\) before it became ready; its last output is below$/);
    assert.deepEqual(unknown.output, ['bye']);
    const silent = diagnoseExit('old-1', 1, { code: null, signal: 'SIGSEGV' }, { stderr: [], stdout: [] }, false);
    assert.match(silent.message, /exited \(signal SIGSEGV\) before it became ready and printed nothing/);
  });

  test('wrong port and not listening; the terminal form quotes the output', () => {
    const wrong = diagnoseWrongPort('old-1', 24567, [3000, 9229], { stderr: [], stdout: ['listening on 3000'] });
    assert.match(wrong.message, /^replica old-1 listens on :3000, :9229, not on \$PORT \(24567\)/);
    assert.equal(formatDiagnosis(wrong), `${wrong.message}\n  last output of old-1:\n    | listening on 3000`);
    const idle = diagnoseNotListening('old-1', 24567, 10.4, false, { stderr: [], stdout: [] });
    assert.match(idle.message, /has listened on no TCP port for 10 s and is idle/);
    assert.deepEqual(quotedOutput({ stderr: [], stdout: ['a', 'b'] }, 1), ['b']);
  });

  test('/proc parsers: listening sockets and a stat line with a hostile command name', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0',
      '   1: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0',
    ].join('\n');
    assert.deepEqual([...parseListeningSockets(table)], [['4242', 3000]]);
    const stat = parseStat('123 (a) b (c) S 1 123 123 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 1 1 1');
    assert.deepEqual(stat, { pid: 123, ppid: 1, pgid: 123, cpuTicks: 300 });
  });
});

function resultWith(pods: PodRecord[], requests: { total: number; failed: number }): RehearsalResult {
  return {
    settings: {},
    pods,
    requests,
    outcome: { status: 'completed' },
  } as unknown as RehearsalResult;
}

const old = (events: PodRecord['events'], output?: string[]): PodRecord => ({
  name: 'old-1',
  revision: 'old',
  port: 1,
  events,
  requests: { ok: 1, failed: 0 },
  ...(output ? { output } : {}),
});

describe('verdict', () => {
  const stopped = (exit: string) => [
    { atMs: 1, state: 'terminating' as const },
    { atMs: 2, state: 'stop-signal' as const },
    { atMs: 3, state: 'exited' as const, detail: exit },
  ];

  test('zero dropped and every pod exited 0: pass, exit 0', () => {
    const v = verdictOf(resultWith([old(stopped('code 0'))], { total: 1200, failed: 0 }));
    assert.deepEqual([v.status, v.title, v.exitCode], ['pass', 'ZERO DROPPED of 1,200 requests', 0]);
  });

  test('zero dropped but a pod exited 1 at its deadline, or was SIGKILLed: a warning, exit 1 unless allowed', () => {
    const deadline = old(stopped('code 1'), ['shutdown deadline (18000 ms) reached: cutting 2 request(s)']);
    const v = verdictOf(resultWith([deadline], { total: 10, failed: 0 }));
    assert.equal(v.status, 'unclean');
    assert.equal(v.exitCode, 1);
    assert.deepEqual(v.unclean, [
      { pod: 'old-1', how: 'exited with code 1 after the stop signal, at its own shutdown deadline' },
    ]);
    assert.equal(verdictOf(resultWith([deadline], { total: 10, failed: 0 }), true).exitCode, 0);
    const killed = uncleanExits([
      old([
        { atMs: 1, state: 'stop-signal' },
        { atMs: 9, state: 'killed', detail: 'SIGKILL at 30.00s (grace 30s)' },
      ]),
    ]);
    assert.deepEqual(killed, [{ pod: 'old-1', how: 'was SIGKILLed (SIGKILL at 30.00s (grace 30s))' }]);
    assert.match(uncleanExits([old(stopped('signal SIGTERM'))])[0]?.how ?? '', /ended by SIGTERM without handling it/);
  });

  test('nothing sent is "could not measure", never zero dropped; failures and errors win', () => {
    assert.deepEqual(verdictOf(resultWith([], { total: 0, failed: 0 })).status, 'no-measure');
    assert.equal(verdictOf(resultWith([], { total: 0, failed: 0 })).exitCode, 2);
    assert.equal(verdictOf(resultWith([old(stopped('code 1'))], { total: 10, failed: 2 })).status, 'failed');
    const error = { ...resultWith([], { total: 0, failed: 0 }), outcome: { status: 'error' as const } };
    assert.equal(verdictOf(error).exitCode, 2);
  });
});
