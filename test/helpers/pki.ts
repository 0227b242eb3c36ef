/** A throwaway certificate authority and client certificates for mTLS tests. */
import 'reflect-metadata';
import { webcrypto, createHash, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

function pem(label: string, der: ArrayBuffer): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

export interface Issued { cert: string; key: string; thumbprint: string }
export interface TestCa { cert: string; issue(cn: string): Promise<Issued> }

export async function createTestCa(): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']));
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=mimtrust test CA', notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000), keys, signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  let serial = 2;
  return {
    cert: caCert.toString('pem') + '\n',
    async issue(cn: string): Promise<Issued> {
      const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']));
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16).padStart(2, '0'), subject: `CN=${cn}`, issuer: caCert.subject,
        notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000), signingKey: keys.privateKey, publicKey: leafKeys.publicKey, signingAlgorithm: ALG,
        extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
      });
      const cert = leaf.toString('pem') + '\n';
      const key = pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
      const thumbprint = createHash('sha256').update(new X509Certificate(cert).raw).digest('base64url');
      return { cert, key, thumbprint };
    },
  };
}
