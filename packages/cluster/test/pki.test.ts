import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ensurePki, issueCertificate } from '../src/pki.js';
import { tempDir } from './support/cluster.js';

test('the CA signs the serving and client certificates; names, usages and validity are as issued', (t) => {
  const tmp = tempDir('zerodrop-pki-');
  t.after(tmp.remove);
  const pki = ensurePki(tmp.dir, ['127.0.0.1', '198.18.7.1']);
  const ca = new X509Certificate(readFileSync(pki.caCert));
  const serving = new X509Certificate(readFileSync(pki.apiserverCert));
  const admin = new X509Certificate(readFileSync(pki.client('admin').cert));
  assert.equal(ca.ca, true);
  assert.equal(serving.ca, false);
  for (const leaf of [serving, admin]) {
    assert.equal(leaf.checkIssued(ca), true);
    assert.equal(leaf.verify(ca.publicKey), true);
  }
  assert.match(serving.subjectAltName ?? '', /IP Address:198\.18\.7\.1/);
  assert.match(serving.subjectAltName ?? '', /DNS:kubernetes\.default\.svc/);
  assert.equal(serving.checkIP('127.0.0.1'), '127.0.0.1');
  assert.deepEqual(serving.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.deepEqual(admin.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.match(admin.subject, /O=system:masters/);
  assert.match(admin.subject, /CN=zerodrop-admin/);
  assert.ok(new Date(serving.validFrom) < new Date() && new Date(serving.validTo) > new Date(Date.now() + 3e11));

  // Kept across starts, except the serving certificate when the node address changes.
  const again = ensurePki(tmp.dir, ['127.0.0.1', '198.18.7.1']);
  assert.equal(readFileSync(again.apiserverCert, 'utf8'), serving.toString());
  ensurePki(tmp.dir, ['127.0.0.1', '198.18.9.1']);
  const moved = new X509Certificate(readFileSync(pki.apiserverCert));
  assert.match(moved.subjectAltName ?? '', /198\.18\.9\.1/);
  assert.equal(new X509Certificate(readFileSync(pki.caCert)).fingerprint256, ca.fingerprint256);
});

test('long DER lengths and GeneralizedTime after 2049 encode correctly', () => {
  const names = Array.from({ length: 40 }, (_, i) => `host-${i}.example.test`);
  const cert = issueCertificate({ subject: { commonName: 'x'.repeat(300) }, altNames: names, validDays: 365 * 40 });
  const parsed = new X509Certificate(cert.cert);
  assert.equal(parsed.subject, `CN=${'x'.repeat(300)}`);
  assert.ok(new Date(parsed.validTo).getUTCFullYear() >= 2060);
  assert.equal(parsed.checkHost('host-39.example.test'), 'host-39.example.test');
});
