/**
 * The cluster's certificates: one CA, a serving certificate for kube-apiserver, client certificates for the admin,
 * kube-controller-manager, kube-scheduler and the node agent, and the service-account signing key. ECDSA P-256 keys
 * from node:crypto; the X.509 structures are DER-encoded here because Node can sign but not build certificates, and
 * a pure encoder keeps the project free of an openssl binary or a certificate library.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';

// --- DER ------------------------------------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octetString = (b: Buffer) => tlv(0x04, b);
const bitString = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
const boolean = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));

function unsignedInteger(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && ((b[1] as number) & 0x80) === 0) b = b.subarray(1);
  if (((b[0] as number) & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * (parts[0] as number) + (parts[1] as number)];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

export interface Subject {
  commonName: string;
  organizations?: string[];
}

function name(subject: Subject): Buffer {
  const rdns = (subject.organizations ?? []).map((o) => set(sequence(oid(OID.organization), utf8(o))));
  rdns.push(set(sequence(oid(OID.commonName), utf8(subject.commonName))));
  return sequence(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function keyId(publicKeyDer: Buffer): Buffer {
  return createHash('sha1').update(publicKeyDer).digest();
}

function subjectAltNames(names: readonly string[]): Buffer {
  return sequence(
    ...names.map((n) =>
      isIPv4(n) ? tlv(0x87, Buffer.from(n.split('.').map(Number))) : tlv(0x82, Buffer.from(n, 'ascii')),
    ),
  );
}

// --- certificates ---------------------------------------------------------------------------------------------

export interface Certificate {
  /** PEM of the certificate. */
  cert: string;
  /** PEM of its private key (SEC 1). */
  key: string;
}

export interface IssueOptions {
  subject: Subject;
  /** A CA certificate (signs others) instead of a leaf. */
  ca?: boolean;
  usage?: ('server' | 'client')[];
  /** DNS names and IPv4 addresses the certificate is valid for. */
  altNames?: string[];
  validDays?: number;
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

function newKey(): { privateKey: KeyObject; publicDer: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicDer: publicKey.export({ type: 'spki', format: 'der' }) };
}

/**
 * Issues a certificate signed by `issuer` (self-signed when omitted, for the CA). Valid from an hour ago (clock
 * skew between processes is nil here, but certificates made in the same second as a check are not "not yet valid").
 */
export function issueCertificate(options: IssueOptions, issuer?: Certificate & { subject: Subject }): Certificate {
  const { privateKey, publicDer } = newKey();
  const signer = issuer ? createPrivateKey(issuer.key) : privateKey;
  const issuerInfo = issuer
    ? { name: name(issuer.subject), keyId: keyId(createPublicKey(signer).export({ type: 'spki', format: 'der' })) }
    : { name: name(options.subject), keyId: keyId(publicDer) };
  const now = Date.now();
  const validity = sequence(
    time(new Date(now - 3600_000)),
    time(new Date(now + (options.validDays ?? 3650) * 86400_000)),
  );
  const usage = options.usage ?? [];
  const extensions = [
    extension(OID.basicConstraints, true, sequence(...(options.ca ? [boolean(true)] : []))),
    // digitalSignature (bit 0) for every key; keyCertSign (bit 5) and cRLSign (bit 6) for a CA.
    extension(OID.keyUsage, true, bitString(Buffer.from([options.ca ? 0x86 : 0x80]))),
    extension(OID.subjectKeyId, false, octetString(keyId(publicDer))),
    extension(OID.authorityKeyId, false, sequence(tlv(0x80, issuerInfo.keyId))),
  ];
  if (usage.length > 0) {
    extensions.push(
      extension(
        OID.extKeyUsage,
        false,
        sequence(...usage.map((u) => oid(u === 'server' ? OID.serverAuth : OID.clientAuth))),
      ),
    );
  }
  if (options.altNames?.length)
    extensions.push(extension(OID.subjectAltName, false, subjectAltNames(options.altNames)));
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    issuerInfo.name,
    validity,
    name(options.subject),
    publicDer,
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, signer);
  const cert = sequence(tbs, algorithm, bitString(signature));
  return {
    cert: pem('CERTIFICATE', cert),
    key: privateKey.export({ type: 'sec1', format: 'pem' }) as string,
  };
}

// --- the cluster's set ----------------------------------------------------------------------------------------

const CA_SUBJECT: Subject = { commonName: 'zerodrop-cluster-ca' };

/** The client identities: the admin (system:masters) and one per control-plane component, as kubeadm names them. */
export const CLIENTS = {
  admin: { commonName: 'zerodrop-admin', organizations: ['system:masters'] },
  'controller-manager': { commonName: 'system:kube-controller-manager' },
  scheduler: { commonName: 'system:kube-scheduler' },
} as const satisfies Record<string, Subject>;

export type ClientName = keyof typeof CLIENTS;

export interface ClusterPki {
  dir: string;
  caCert: string;
  apiserverCert: string;
  apiserverKey: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
  client(name: ClientName): { cert: string; key: string };
}

function write(file: string, text: string, mode = 0o600): void {
  writeFileSync(file, text, { mode });
}

/**
 * Creates the certificates and keys under `dir` once (kept across restarts, so kubeconfigs stay valid); returns
 * their paths. The apiserver certificate names `altNames` (loopback, the node address, the service IP).
 */
export function ensurePki(dir: string, altNames: readonly string[]): ClusterPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (f: string) => join(dir, f);
  const files = pkiPaths(dir);
  const sans = [...new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', ...altNames])];
  const sansFile = path('apiserver.sans');
  const current = existsSync(sansFile) ? readFileSync(sansFile, 'utf8') : '';
  const needsAll = !existsSync(files.caCert) || !existsSync(path('ca.key'));
  let ca: Certificate & { subject: Subject };
  if (needsAll) {
    ca = { ...issueCertificate({ subject: CA_SUBJECT, ca: true }), subject: CA_SUBJECT };
    write(files.caCert, ca.cert, 0o644);
    write(path('ca.key'), ca.key);
  } else {
    ca = { cert: readFileSync(files.caCert, 'utf8'), key: readFileSync(path('ca.key'), 'utf8'), subject: CA_SUBJECT };
  }
  if (needsAll || current !== sans.join(',') || !existsSync(files.apiserverCert)) {
    const serving = issueCertificate(
      { subject: { commonName: 'kube-apiserver' }, usage: ['server'], altNames: sans },
      ca,
    );
    write(files.apiserverCert, serving.cert, 0o644);
    write(files.apiserverKey, serving.key);
    write(sansFile, sans.join(','), 0o644);
  }
  for (const [client, subject] of Object.entries(CLIENTS)) {
    if (!needsAll && existsSync(path(`${client}.crt`))) continue;
    const c = issueCertificate({ subject, usage: ['client'] }, ca);
    write(path(`${client}.crt`), c.cert, 0o644);
    write(path(`${client}.key`), c.key);
  }
  if (needsAll || !existsSync(files.serviceAccountKey)) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    write(files.serviceAccountKey, privateKey.export({ type: 'sec1', format: 'pem' }) as string);
    write(files.serviceAccountPublicKey, publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  }
  return files;
}

/** The files of the cluster's PKI under `dir` (made by ensurePki). */
export function pkiPaths(dir: string): ClusterPki {
  const path = (f: string) => join(dir, f);
  return {
    dir,
    caCert: path('ca.crt'),
    apiserverCert: path('apiserver.crt'),
    apiserverKey: path('apiserver.key'),
    serviceAccountKey: path('sa.key'),
    serviceAccountPublicKey: path('sa.pub'),
    client: (client) => ({ cert: path(`${client}.crt`), key: path(`${client}.key`) }),
  };
}
