import { readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import jsonld from 'jsonld';
import { fetchCapped, OutboundRefused, outboundAllowlist } from '../../http/outbound.js';
import { ProblemError } from '../../http/problem.js';
import { sourceRoot } from '../../paths.js';
import { Lru } from './lru.js';

export const CORE_CONTEXT_URL = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
const CORE_URL_PATTERN = /^https?:\/\/uri\.etsi\.org\/ngsi-ld\/v1\/ngsi-ld-core-context(-v1\.\d+)?\.jsonld$/;
export const NGSI_LD = 'https://uri.etsi.org/ngsi-ld/';
const JSONLD_KEYWORDS = new Set([
  '@id',
  '@type',
  '@context',
  '@value',
  '@language',
  '@vocab',
  '@graph',
  '@none',
]);

const coreDocument: unknown = JSON.parse(
  readFileSync(join(sourceRoot(), 'broker', 'jsonld', 'ngsi-ld-core-context.jsonld'), 'utf8'),
);

/**
 * A processed @context: term expansion and IRI compaction for the NGSI-LD structures, memoised.
 * Context processing itself (remote loading, @protected, scoped contexts...) is done by the `jsonld` library;
 * the per-term maps are derived from its active context once, so a hot path never re-expands a known term.
 */
export interface ResolvedContext {
  /** The @context to echo in responses: the client's own (core implied), or the core context URL. */
  readonly value: unknown;
  /** A URL for the response's Link header, when the context is a single URL. */
  readonly linkUrl: string;
  expand(term: string): string;
  compact(iri: string): string;
}

export interface ContextResolver {
  readonly core: ResolvedContext;
  /** `local` is the request's @context (URL, object or array); undefined means the core context alone. */
  resolve(local: unknown): Promise<ResolvedContext>;
  stats(): { contexts: number; documents: number };
}

export interface ContextResolverOptions {
  contextMapFile?: string;
  fetchTimeoutMs?: number;
  maxBytes?: number;
  maxContexts?: number;
}

interface TermDefinition {
  '@id'?: string;
  _prefix?: boolean;
  reverse?: boolean;
}
// processContext is public jsonld.js API but missing from @types/jsonld.
const processContext = (
  jsonld as unknown as {
    processContext(active: unknown, local: unknown, options: Record<string, unknown>): Promise<unknown>;
  }
).processContext;

interface ActiveContext {
  mappings: Map<string, TermDefinition>;
  '@vocab'?: string;
}

export async function createContextResolver(options: ContextResolverOptions = {}): Promise<ContextResolver> {
  const contextMap = loadContextMap(options.contextMapFile);
  const documents = new Lru<string, unknown>(512);
  const contexts = new Lru<string, Promise<ResolvedContext>>(options.maxContexts ?? 1024);
  const allow = outboundAllowlist();

  // Only successful loads are kept: a context that failed is tried again by the next request.
  const loadDocument = async (url: string): Promise<unknown> => {
    if (CORE_URL_PATTERN.test(url)) return coreDocument;
    const hit = documents.get(url);
    if (hit !== undefined) return hit;
    const mapped = contextMap.get(url);
    const doc: unknown = mapped
      ? JSON.parse(readFileSync(mapped, 'utf8'))
      : JSON.parse(
          await fetchCapped(url, {
            timeoutMs: options.fetchTimeoutMs ?? 5000,
            maxBytes: options.maxBytes ?? 1024 * 1024,
            allow,
          }),
        );
    documents.set(url, doc);
    return doc;
  };

  const documentLoader = async (url: string) => {
    try {
      const document = await loadDocument(url);
      return { contextUrl: undefined, documentUrl: url, document };
    } catch (err) {
      const why = err instanceof OutboundRefused ? err.message : (err as Error).message;
      throw new ProblemError('LdContextNotAvailable', `@context ${url} could not be loaded: ${why}`);
    }
  };

  const build = async (local: unknown): Promise<ResolvedContext> => {
    const list = local === undefined ? [] : Array.isArray(local) ? local : [local];
    let active: ActiveContext;
    try {
      const initial = await processContext(null, null, {});
      active = (await processContext(initial, [...list, CORE_CONTEXT_URL], {
        documentLoader,
      })) as ActiveContext;
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      const cause = (err as { details?: { cause?: unknown } }).details?.cause;
      if (cause instanceof ProblemError) throw cause;
      throw new ProblemError('BadRequestData', `invalid @context: ${(err as Error).message}`);
    }
    const linkUrl = typeof local === 'string' ? local : CORE_CONTEXT_URL;
    return makeResolved(active, local === undefined ? CORE_CONTEXT_URL : local, linkUrl);
  };

  const core = await build(undefined);

  return {
    core,
    resolve(local) {
      if (local === undefined || local === null) return Promise.resolve(core);
      const key = typeof local === 'string' ? local : JSON.stringify(local);
      if (key.length > 256 * 1024) {
        return Promise.reject(new ProblemError('BadRequestData', 'inline @context larger than 256 KiB'));
      }
      return contexts.get(key) ?? remember(key, build(local));
    },
    stats: () => ({ contexts: contexts.size, documents: documents.size }),
  };

  function remember(key: string, p: Promise<ResolvedContext>): Promise<ResolvedContext> {
    contexts.set(key, p);
    p.catch(() => {
      if (contexts.get(key) === p) contexts.set(key, undefined as unknown as Promise<ResolvedContext>);
    });
    return p;
  }
}

function makeResolved(active: ActiveContext, value: unknown, linkUrl: string): ResolvedContext {
  const expanded = new Map<string, string>();
  const compacted = new Map<string, string>();
  const vocab = active['@vocab'];
  let inverse: Map<string, string> | undefined;
  let prefixes: [string, string][] | undefined;

  const expand = (term: string): string => {
    let iri = expanded.get(term);
    if (iri !== undefined) return iri;
    iri = expandTerm(term);
    if (expanded.size < 10_000) expanded.set(term, iri);
    return iri;
  };

  // JSON-LD IRI expansion with vocab = true (JSON-LD 1.1, 5.2.2).
  const expandTerm = (term: string): string => {
    if (JSONLD_KEYWORDS.has(term)) return term;
    const def = active.mappings.get(term);
    if (def?.['@id'] !== undefined) return def['@id'];
    const colon = term.indexOf(':');
    if (colon > 0) {
      const prefix = term.slice(0, colon);
      const suffix = term.slice(colon + 1);
      if (prefix === '_' || suffix.startsWith('//')) return term;
      const p = active.mappings.get(prefix);
      if (p?._prefix && p['@id']) return p['@id'] + suffix;
      return term; // an absolute IRI such as urn:x or https:...
    }
    return vocab ? vocab + term : term;
  };

  const compact = (iri: string): string => {
    let term = compacted.get(iri);
    if (term !== undefined) return term;
    term = compactIri(iri);
    if (compacted.size < 10_000) compacted.set(iri, term);
    return term;
  };

  const compactIri = (iri: string): string => {
    if (!inverse) {
      inverse = new Map();
      prefixes = [];
      for (const [t, def] of active.mappings) {
        const id = def['@id'];
        if (!id || def.reverse) continue;
        const best = inverse.get(id);
        if (best === undefined || t.length < best.length || (t.length === best.length && t < best)) {
          inverse.set(id, t);
        }
        if (def._prefix) prefixes.push([t, id]);
      }
    }
    const exact = inverse.get(iri);
    if (exact !== undefined) return exact;
    if (vocab && iri.startsWith(vocab)) {
      const rest = iri.slice(vocab.length);
      if (rest && !rest.includes(':') && !active.mappings.has(rest)) return rest;
    }
    let best: string | undefined;
    for (const [t, id] of prefixes!) {
      if (iri.length > id.length && iri.startsWith(id)) {
        const candidate = `${t}:${iri.slice(id.length)}`;
        if (!best || candidate.length < best.length) best = candidate;
      }
    }
    return best ?? iri;
  };

  return { value, linkUrl, expand, compact };
}

function loadContextMap(file: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (!file) return map;
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const base = dirname(resolvePath(file));
  for (const [url, path] of Object.entries(raw)) map.set(url, resolvePath(base, path));
  return map;
}
