import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { endpointsOf } from '../src/service-proxy.js';

const slice = (endpoints: V1EndpointSlice['endpoints'], ports = [{ name: 'http', port: 8080 }]): V1EndpointSlice => ({
  addressType: 'IPv4',
  endpoints,
  ports,
});

test('endpoints of a Service port: every slice, KEP-1672 conditions, nil conditions as the API defines them', () => {
  const slices = [
    slice([
      {
        addresses: ['198.18.1.2'],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { name: 'a' },
      },
      {
        addresses: ['198.18.1.3'],
        conditions: { ready: false, serving: true, terminating: true },
        targetRef: { name: 'b' },
      },
    ]),
    slice([{ addresses: ['198.18.1.4'], targetRef: { name: 'c' } }]),
    slice([{ addresses: ['198.18.1.9'] }], [{ name: 'metrics', port: 9090 }]),
    { addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1'] }], ports: [{ name: 'http', port: 8080 }] },
  ];
  assert.deepEqual(endpointsOf(slices, { name: 'http' }), [
    { pod: 'a', host: '198.18.1.2', port: 8080, ready: true, serving: true, terminating: false },
    { pod: 'b', host: '198.18.1.3', port: 8080, ready: false, serving: true, terminating: true },
    // ready unset means ready; serving unset follows ready; terminating unset is false.
    { pod: 'c', host: '198.18.1.4', port: 8080, ready: true, serving: true, terminating: false },
  ]);
  assert.deepEqual(
    endpointsOf(slices, { name: 'metrics' }).map((e) => e.port),
    [9090],
  );
});
