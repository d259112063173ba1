import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { createGunzip, createInflate } from 'node:zlib';
import { AppError } from '../../errors/app-error';

/** How URL ingestion may reach the network. */
export interface UrlPolicy {
  /**
   * Hosts, addresses and CIDR ranges that may be fetched although they are loopback,
   * link-local, private or otherwise internal (INGEST_URL_ALLOW): internal feed mirrors.
   */
  allow: readonly string[];
  /** A connection that sends nothing for this long (headers or body) is abandoned. */
  idleTimeoutMs: number;
  /** Redirects followed at most; each is checked like the first URL. */
  maxRedirects?: number;
}

export const DEFAULT_URL_POLICY: UrlPolicy = { allow: [], idleTimeoutMs: 30_000 };

/**
 * Addresses a feed URL may not reach unless allowed: loopback, link-local (cloud metadata at
 * 169.254.169.254 and fd00:ec2::254 included), private, shared, reserved and multicast ranges.
 */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it carries. */
function normalizeAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function isInternalAddress(address: string): boolean {
  const a = normalizeAddress(address);
  return INTERNAL.check(a.address, a.family);
}

/** The allow-list: host names match exactly (case-insensitive), addresses and CIDR ranges by address. */
class AllowList {
  private readonly hosts = new Set<string>();
  private readonly ranges = new BlockList();
  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      const [net, bits] = entry.split('/');
      const family = isIP(net!);
      if (family) {
        const type = family === 6 ? 'ipv6' : 'ipv4';
        if (bits === undefined) this.ranges.addAddress(net!, type);
        else this.ranges.addSubnet(net!, Number(bits), type);
      } else this.hosts.add(entry.replace(/\.$/, ''));
    }
  }
  host(hostname: string): boolean {
    return this.hosts.has(hostname.toLowerCase().replace(/\.$/, ''));
  }
  address(address: string): boolean {
    const a = normalizeAddress(address);
    return this.ranges.check(a.address, a.family);
  }
}

const blocked = (url: string, address: string) =>
  new AppError(
    'FORBIDDEN',
    'SOURCE_URL_BLOCKED',
    `${url}: resolves to ${address}, an internal address (loopback, link-local, private or reserved); add the host to INGEST_URL_ALLOW to fetch from it`,
  );
const fetchFailed = (url: string, why: string) => new AppError('BAD_USER_INPUT', 'SOURCE_FETCH_FAILED', `${url}: ${why}`);

/** Validators of an earlier response, for a conditional GET. */
export interface CacheValidators {
  etag?: string | null;
  lastModified?: string | null;
}

export interface FetchedUrl {
  /** The URL the body came from, after redirects. */
  finalUrl: URL;
  /** The server answered 304 to a conditional GET: there is no body. */
  notModified: boolean;
  /** The response's ETag and Last-Modified, to send back on the next pull. */
  etag: string | null;
  lastModified: string | null;
  /** Content-Length of the body as received, when announced. */
  length: number | null;
  /** The body as sent (Content-Encoding not undone); fails with SOURCE_STALLED when the server stalls. */
  body: AsyncIterable<Buffer>;
  /** The Content-Encoding to undo ('gzip' | 'deflate'), or null. */
  encoding: 'gzip' | 'deflate' | null;
}

/**
 * GETs an http(s) URL for ingestion. Every address it connects to, on the first request and
 * on each redirect, is checked after DNS resolution against the internal ranges (unless
 * allowed); a connection idle for `idleTimeoutMs` — before the headers or in the body — fails.
 */
export async function fetchFeedUrl(input: string, policy: UrlPolicy, validators: CacheValidators = {}): Promise<FetchedUrl> {
  const allow = new AllowList(policy.allow);
  let url = parseUrl(input);
  const conditional: Record<string, string> = {
    ...(validators.etag ? { 'if-none-match': validators.etag } : {}),
    ...(validators.lastModified ? { 'if-modified-since': validators.lastModified } : {}),
  };
  for (let redirects = 0; ; redirects++) {
    const { response, failure } = await requestOnce(url, allow, policy.idleTimeoutMs, conditional);
    const status = response.statusCode ?? 0;
    const header = (name: string) => {
      const value = response.headers[name];
      return typeof value === 'string' && value.length <= 1024 ? value : null;
    };
    if (status === 304 && Object.keys(conditional).length > 0) {
      response.resume();
      const empty = (async function* (): AsyncGenerator<Buffer> {})();
      return {
        finalUrl: url,
        notModified: true,
        etag: header('etag'),
        lastModified: header('last-modified'),
        length: 0,
        body: empty,
        encoding: null,
      };
    }
    if ([301, 302, 303, 307, 308].includes(status)) {
      response.resume();
      const location = response.headers.location;
      if (!location) throw fetchFailed(url.href, `HTTP ${status} without a Location`);
      if (redirects >= (policy.maxRedirects ?? 5)) throw fetchFailed(input, `more than ${policy.maxRedirects ?? 5} redirects`);
      url = parseUrl(new URL(location, url).href);
      continue;
    }
    if (status < 200 || status > 299) {
      response.resume();
      throw fetchFailed(url.href, `HTTP ${status} ${response.statusMessage ?? ''}`.trim());
    }
    const rawEncoding = String(response.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    let encoding: FetchedUrl['encoding'];
    if (rawEncoding === 'identity' || rawEncoding === '') encoding = null;
    else if (rawEncoding === 'gzip' || rawEncoding === 'x-gzip') encoding = 'gzip';
    else if (rawEncoding === 'deflate') encoding = 'deflate';
    else {
      response.destroy();
      throw fetchFailed(url.href, `unsupported Content-Encoding "${rawEncoding.slice(0, 40)}"`);
    }
    const length = Number(response.headers['content-length'] ?? NaN);
    const href = url.href;
    async function* body(): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of response as AsyncIterable<Buffer>) yield chunk;
      } catch (err) {
        throw failure() ?? (err instanceof AppError ? err : fetchFailed(href, `connection lost: ${(err as Error).message}`));
      } finally {
        response.destroy();
      }
    }
    return {
      finalUrl: url,
      notModified: false,
      etag: header('etag'),
      lastModified: header('last-modified'),
      length: Number.isFinite(length) ? length : null,
      body: body(),
      encoding,
    };
  }
}

/** The decoder of a Content-Encoding. */
export const contentDecoder = (encoding: 'gzip' | 'deflate') => (encoding === 'gzip' ? createGunzip() : createInflate());

function parseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('BAD_USER_INPUT', 'SOURCE_URL_INVALID', `"${value.slice(0, 200)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('BAD_USER_INPUT', 'SOURCE_URL_INVALID', `${url.href.slice(0, 200)}: only http(s) URLs are supported`);
  }
  return url;
}

/**
 * POSTs a body to an http(s) URL under the same address rules as feed URLs (webhooks): no
 * redirect is followed; the answer's status and first 2 KiB are returned.
 */
export async function postToUrl(
  input: string,
  body: Buffer,
  headers: Record<string, string>,
  policy: UrlPolicy,
): Promise<{ status: number; text: string }> {
  const url = parseUrl(input);
  const { response } = await requestOnce(url, new AllowList(policy.allow), policy.idleTimeoutMs, headers, { method: 'POST', body });
  let text = '';
  for await (const chunk of response as AsyncIterable<Buffer>) if (text.length < 2048) text += chunk.toString('utf8');
  return { status: response.statusCode ?? 0, text: text.slice(0, 2048) };
}

function requestOnce(
  url: URL,
  allow: AllowList,
  idleTimeoutMs: number,
  extraHeaders: Record<string, string> = {},
  send: { method: 'GET' | 'POST'; body?: Buffer } = { method: 'GET' },
): Promise<{ response: IncomingMessage; failure: () => AppError | null }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const hostAllowed = allow.host(host);
  if (isIP(host) && !hostAllowed && !allow.address(host) && isInternalAddress(host)) return Promise.reject(blocked(url.href, host));
  // Checked on the addresses DNS gives, at connection time: no second lookup can differ.
  const lookup = (
    hostname: string,
    options: { all?: boolean },
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = hostAllowed ? undefined : addresses.find((a) => isInternalAddress(a.address) && !allow.address(a.address));
      if (refused) return callback(blocked(url.href, refused.address), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  let failure: AppError | null = null;
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: send.method,
      lookup: lookup as never,
      headers: {
        'user-agent': 'dgascope',
        ...(send.method === 'GET' ? { 'accept-encoding': 'gzip, deflate' } : { 'content-length': String(send.body?.length ?? 0) }),
        ...extraHeaders,
      },
    });
    request.setTimeout(idleTimeoutMs, () => {
      failure = new AppError(
        'BAD_USER_INPUT',
        'SOURCE_STALLED',
        `${url.href}: the server sent nothing for ${idleTimeoutMs} ms (INGEST_IDLE_TIMEOUT_MS); nothing was stored`,
      );
      request.destroy(failure);
    });
    request.on('error', (err: Error) => {
      failure ??= err instanceof AppError ? err : fetchFailed(url.href, (err as NodeJS.ErrnoException).code ?? err.message);
      reject(failure);
    });
    request.on('response', (response) => resolve({ response, failure: () => failure }));
    request.end(send.body);
  });
}
