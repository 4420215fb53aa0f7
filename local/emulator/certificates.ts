/**
 * The local certificate authority behind the emulated clusters' HTTPS endpoints. EKS gives every
 * cluster a CA (DescribeCluster's certificateAuthority.data) and serves the API server with a
 * certificate it signed, so kubectl and the service's own Kubernetes client verify the endpoint
 * against that data. Locally every endpoint is on 127.0.0.1 (no SNI names to tell clusters
 * apart), so one CA and one server certificate serve them all: the CA is what each cluster's
 * certificateAuthority.data carries, and the server certificate names 127.0.0.1 and localhost.
 *
 * Generated once per World, on first use (a 2048-bit RSA key takes ~0.2 s; most emulators in the
 * tests never serve HTTPS), and kept with the World so a restarted local mode serves the same CA
 * and saved kubeconfigs keep working.
 */
import forge from 'node-forge';

export interface CertificateMaterial {
  /** PEM of the CA certificate. */
  caCertificate: string;
  /** PEM of the server certificate (127.0.0.1, localhost), signed by the CA. */
  serverCertificate: string;
  /** PEM of the server certificate's private key. */
  serverKey: string;
}

/** Ten years: a local data dir outlives any realistic session; kubectl checks the dates. */
const VALIDITY_YEARS = 10;

export class LocalCertificates {
  private material?: CertificateMaterial;

  constructor(private readonly now: () => Date) {}

  /** The CA, server certificate and key, made on first use. */
  get(): CertificateMaterial {
    this.material ??= issue(this.now());
    return this.material;
  }

  /** The CA as DescribeCluster's certificateAuthority.data carries it: base64 of the PEM. */
  authorityData(): string {
    return Buffer.from(this.get().caCertificate).toString('base64');
  }

  /** For persistence: what was issued, if anything. */
  saved(): CertificateMaterial | undefined {
    return this.material;
  }

  restore(material: CertificateMaterial | undefined): void {
    if (material) this.material = material;
  }
}

// EKS names its cluster CAs "kubernetes".
const CA_NAME = [{ name: 'commonName', value: 'kubernetes' }];

function issue(now: Date): CertificateMaterial {
  // Wall-clock dates, not the emulated clock: TLS clients check validity against their own clock.
  const notBefore = new Date(Math.min(now.getTime(), Date.now()) - 60 * 60_000);
  const notAfter = new Date(notBefore);
  notAfter.setFullYear(notAfter.getFullYear() + VALIDITY_YEARS);
  const validity = { notBefore, notAfter };

  const caKeys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const ca = signed(caKeys.publicKey, CA_NAME, validity, caKeys.privateKey, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  const serverKeys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const server = signed(serverKeys.publicKey, [{ name: 'commonName', value: 'kube-apiserver' }], validity, caKeys.privateKey, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // The names kube-apiserver's certificate carries, and the loopback address local mode listens on.
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
        { type: 2, value: 'kubernetes' },
        { type: 2, value: 'kubernetes.default' },
        { type: 2, value: 'kubernetes.default.svc' },
        { type: 2, value: 'kubernetes.default.svc.cluster.local' },
      ],
    },
  ]);

  // forge writes CRLF line ends; EKS's certificateAuthority.data (and most PEM) uses LF.
  const pem = (text: string) => text.replace(/\r\n/g, '\n');
  return { caCertificate: pem(forge.pki.certificateToPem(ca)), serverCertificate: pem(forge.pki.certificateToPem(server)), serverKey: pem(forge.pki.privateKeyToPem(serverKeys.privateKey)) };
}

/** A certificate for `publicKey` with this subject and extensions, issued and signed by the CA. */
function signed(publicKey: forge.pki.PublicKey, subject: forge.pki.CertificateField[], validity: { notBefore: Date; notAfter: Date }, caKey: forge.pki.rsa.PrivateKey, extensions: object[]): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  certificate.serialNumber = serial();
  certificate.validity.notBefore = validity.notBefore;
  certificate.validity.notAfter = validity.notAfter;
  certificate.setSubject(subject);
  certificate.setIssuer(CA_NAME);
  certificate.setExtensions(extensions);
  certificate.sign(caKey, forge.md.sha256.create());
  return certificate;
}

/** A positive random serial (the leading byte's top bit clear). */
function serial(): string {
  const bytes = forge.util.bytesToHex(forge.random.getBytesSync(16));
  return `0${bytes.slice(1)}`;
}
