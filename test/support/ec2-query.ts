/**
 * Signed ec2Query calls for emulator tests: a SigV4-signed form POST, as any SDK sends it, and
 * the XML answer parsed with `item` lists always arrays.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';

/** Parsed XML, navigated freely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Xml = Record<string, any>;

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'item' || name === 'Error' });

export async function ec2Call(endpoint: string, params: Record<string, string>): Promise<{ status: number; xml: Xml }> {
  const url = new URL(endpoint);
  const body = new URLSearchParams({ Version: '2016-11-15', ...params }).toString();
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'ec2', sha256: Sha256 });
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
  const response = await fetch(endpoint, { method: 'POST', headers: signed.headers, body });
  return { status: response.status, xml: parser.parse(await response.text()) };
}

/** An answer's status with its first error's Code and Message (none when it succeeded), to assert a refusal in one line. */
export function ec2ErrorOf(answer: { status: number; xml: Xml }): Xml {
  return { status: answer.status, ...answer.xml.Response?.Errors?.Error?.[0] };
}

/** The `<item>` list of a response's set, [] when the set is empty. */
export function items(xml: Xml, action: string, set: string): Xml[] {
  const value = xml[`${action}Response`]?.[set];
  return value && typeof value === 'object' ? (value.item ?? []) : [];
}

/** `Filter.N.Name` / `Filter.N.Value.M` parameters. */
export function filters(...entries: Array<[name: string, ...values: string[]]>): Record<string, string> {
  const params: Record<string, string> = {};
  entries.forEach(([name, ...values], i) => {
    params[`Filter.${i + 1}.Name`] = name;
    values.forEach((value, j) => (params[`Filter.${i + 1}.Value.${j + 1}`] = value));
  });
  return params;
}
