/**
 * A throw-away certificate authority for the local protocol peers: web push, FCM and APNs only speak TLS, so
 * tests run real HTTPS/HTTP/2 servers with certificates issued here.
 *
 * Certificates are made in pure JS (`@peculiar/x509` over WebCrypto), so no `openssl` binary is needed.
 * Clients trust the CA in one of two ways:
 * - in-process, by passing `pki.caPem` as `ca` (an `https.Agent`, `http2.connect({ca})`, nodemailer `tls.ca`);
 * - in a child process, through `NODE_EXTRA_CA_CERTS=<pki.caFile>`, which Node reads only at start-up
 *   (see `trustingEnv` and `spawnTrustingTestCa`): that is how a whole hub server is made to trust the peers.
 */
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The names every local peer answers to. */
export const LOCAL_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;

export interface ServerCertificate {
  /** PEM of the leaf certificate followed by the CA, ready for `tls.createServer({cert})`. */
  certPem: string;
  keyPem: string;
  hosts: string[];
}

export interface TestPki {
  /** The temporary folder holding `ca.pem`; removed by `cleanup()`. */
  dir: string;
  caPem: string;
  /** For `NODE_EXTRA_CA_CERTS`. */
  caFile: string;
  /** Issues a server certificate for these DNS names and IP addresses, signed by the CA. */
  issue(hosts?: readonly string[]): Promise<ServerCertificate>;
  /** A keep-alive `https.Agent` that trusts the CA (and nothing else). */
  httpsAgent(): https.Agent;
  cleanup(): Promise<void>;
}

export async function createTestPki(): Promise<TestPki> {
  const caKeys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const caName = 'CN=Teacher Hub test CA';
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(Date.now() + 30 * DAY_MS);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: caName,
    keys: caKeys,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const caPem = caCert.toString('pem') + '\n';
  const dir = await mkdtemp(join(tmpdir(), 'hub-test-pki-'));
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, caPem);

  const issue = async (hosts: readonly string[] = LOCAL_HOSTS): Promise<ServerCertificate> => {
    const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
    const leaf = await x509.X509CertificateGenerator.create({
      subject: `CN=${hosts[0] ?? 'localhost'}`,
      issuer: caCert.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(
          hosts.map((host) => ({ type: isIP(host) ? ('ip' as const) : ('dns' as const), value: host })),
        ),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      ],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    return {
      certPem: leaf.toString('pem') + '\n' + caPem,
      keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n',
      hosts: [...hosts],
    };
  };

  const agents: https.Agent[] = [];
  return {
    dir,
    caPem,
    caFile,
    issue,
    httpsAgent() {
      const agent = new https.Agent({ ca: caPem, keepAlive: true });
      agents.push(agent);
      return agent;
    },
    async cleanup() {
      for (const agent of agents) agent.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `env` (default: this process's) plus `NODE_EXTRA_CA_CERTS`, so a child Node process trusts the test CA. */
export function trustingEnv(
  pki: Pick<TestPki, 'caFile'>,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return { ...env, NODE_EXTRA_CA_CERTS: pki.caFile };
}

/**
 * Starts `node <args>` (this Node binary) trusting the test CA through `NODE_EXTRA_CA_CERTS`, e.g. a hub
 * server for the crash test: `spawnTrustingTestCa(pki, ['--import', 'tsx', 'server/src/main.ts'], {env})`.
 */
export function spawnTrustingTestCa(
  pki: Pick<TestPki, 'caFile'>,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  return spawn(process.execPath, args, { stdio: 'pipe', ...options, env: trustingEnv(pki, options.env) });
}
