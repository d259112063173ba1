import { normalizeDomain } from '@dgascope/core';
import { getDomain } from 'tldts';

/**
 * What the model reads. DGA feeds list registered domains while top lists hold full host names;
 * by default every name is reduced to its registered domain (public-suffix list, via tldts) so
 * "has subdomains" cannot become a proxy for "benign".
 */
export interface InputFormOptions {
  /** 'registered-domain' (default) or 'full' (the normalised name as is). */
  reduction?: 'registered-domain' | 'full';
  /** Treat private suffixes (dyndns.org, duckdns.org, blogspot.com, ...) as public suffixes. Default true: dynamic-DNS DGAs (kraken: <random>.dyndns.org) keep their generated label. */
  allowPrivateDomains?: boolean;
}

export type ResolvedInputForm = Required<InputFormOptions>;

export function resolveInputForm(options: InputFormOptions = {}): ResolvedInputForm {
  return { reduction: options.reduction ?? 'registered-domain', allowPrivateDomains: options.allowPrivateDomains ?? true };
}

export type ModelInput = { ok: true; normalized: string; input: string } | { ok: false; reason: string };

/** Normalise as at ingestion (core.normalizeDomain), then reduce to the model's input form. */
export function toModelInput(raw: string, form: ResolvedInputForm): ModelInput {
  const n = normalizeDomain(raw);
  if (!n.ok) return { ok: false, reason: n.reason };
  if (form.reduction === 'full') return { ok: true, normalized: n.domain, input: n.domain };
  // A name that is itself a public suffix, an IP or a single label has no registered domain: keep it.
  const reg = getDomain(n.domain, { allowPrivateDomains: form.allowPrivateDomains });
  return { ok: true, normalized: n.domain, input: reg ?? n.domain };
}
