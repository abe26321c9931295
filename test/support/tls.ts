// Certificates for the TLS set-ups, made with openssl (Node's crypto can parse certificates but not
// issue them). P-256 keys: generated in milliseconds, and Go's TLS stack (Distribution) accepts them.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './process.js';

/** valid: SAN IP:127.0.0.1 + DNS:localhost; expired: same names, notAfter in the past; wrong-host: names
 * that are not this machine. */
export type TlsCertKind = 'valid' | 'expired' | 'wrong-host';

export interface TlsMaterial {
  caPem: string;
  caFile: string;
  /** The certificate asked for, signed by the CA. */
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** Always a valid certificate for 127.0.0.1 from the same CA (for the token server next to a faulty registry). */
  valid: { cert: string; key: string };
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function issue(dir: string, name: string, subjectAltName: string, days: number, ca: { pem: string; key: string }, serial: number): Promise<{ certFile: string; keyFile: string }> {
  const keyFile = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const certFile = path.join(dir, `${name}.pem`);
  await run('openssl', ['req', ...KEY_ARGS, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`, '-addext', `subjectAltName=${subjectAltName}`]);
  // A negative -days gives notAfter before now: the cheapest way to an expired certificate.
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.pem, '-CAkey', ca.key, '-set_serial', String(serial), '-days', String(days), '-copy_extensions', 'copyall', '-out', certFile]);
  return { certFile, keyFile };
}

export async function makeTlsMaterial(dir: string, kind: TlsCertKind = 'valid'): Promise<TlsMaterial> {
  const ca = { pem: path.join(dir, 'ca.pem'), key: path.join(dir, 'ca.key') };
  await run('openssl', ['req', '-x509', ...KEY_ARGS, '-keyout', ca.key, '-out', ca.pem, '-days', '2', '-subj', '/CN=pullcheck test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const localNames = 'IP:127.0.0.1,DNS:localhost';
  const valid = await issue(dir, 'valid', localNames, 2, ca, 2);
  const chosen =
    kind === 'valid' ? valid
    : kind === 'expired' ? await issue(dir, 'expired', localNames, -1, ca, 3)
    : await issue(dir, 'wrong-host', 'DNS:registry.wrong-host.invalid', 2, ca, 4);
  const [caPem, cert, key, validCert, validKey] = await Promise.all(
    [ca.pem, chosen.certFile, chosen.keyFile, valid.certFile, valid.keyFile].map((file) => readFile(file, 'utf8')),
  );
  return { caPem: caPem!, caFile: ca.pem, certFile: chosen.certFile, keyFile: chosen.keyFile, cert: cert!, key: key!, valid: { cert: validCert!, key: validKey! } };
}

/** Writes a self-signed P-256 certificate for a token signing key; returns the PEM files. */
export async function makeSigningCertificate(dir: string): Promise<{ certFile: string; keyFile: string }> {
  const certFile = path.join(dir, 'token-signer.pem');
  const keyFile = path.join(dir, 'token-signer.key');
  await run('openssl', ['req', '-x509', ...KEY_ARGS, '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=pullcheck token signer']);
  return { certFile, keyFile };
}
