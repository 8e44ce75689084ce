import type { ResolvedContext } from './jsonld/contexts.js';
import type { Instance, StoredEntity } from './model.js';

export type Format = 'normalized' | 'keyValues' | 'concise';

export interface RenderOptions {
  format: Format;
  sysAttrs: boolean;
  /** Expanded attribute IRIs to keep; undefined keeps all. */
  attrs?: Set<string>;
  /** pick/omit over the entity members (id, type, scope and attribute short names). */
  pick?: Set<string>;
  omit?: Set<string>;
  lang?: string;
  /** Only the instances with this datasetId (or the default instance with '@none'). */
  datasetId?: Set<string>;
}

type Json = Record<string, unknown>;

const SCOPE = 'https://uri.etsi.org/ngsi-ld/scope';

/** Turns a stored entity into its NGSI-LD representation under the request's @context. */
export function renderEntity(e: StoredEntity, ctx: ResolvedContext, o: RenderOptions): Json {
  const out: Json = {};
  const keep = (name: string) => (!o.pick || o.pick.has(name)) && !o.omit?.has(name);
  if (keep('id')) out.id = e.id;
  if (keep('type')) {
    const types = e.types.map((t) => ctx.compact(t));
    out.type = types.length === 1 ? types[0] : types;
  }
  if (e.scopes && keep('scope') && (!o.attrs || o.attrs.has(SCOPE)))
    out.scope = e.scopes.length === 1 ? e.scopes[0] : e.scopes;
  if (o.sysAttrs && o.format !== 'keyValues') {
    out.createdAt = e.createdAt;
    out.modifiedAt = e.modifiedAt;
  }
  for (const [iri, instances] of Object.entries(e.attrs)) {
    if (o.attrs && !o.attrs.has(iri)) continue;
    const name = ctx.compact(iri);
    if (!keep(name)) continue;
    let list = instances;
    if (o.datasetId) list = list.filter((i) => o.datasetId!.has(i.datasetId ?? '@none'));
    if (list.length === 0) continue;
    const rendered = list.map((i) => renderInstance(i, ctx, o));
    out[name] = rendered.length === 1 ? rendered[0] : rendered;
  }
  return out;
}

function langValue(lm: Record<string, string | string[]>, lang: string): { value: unknown; lang: string } {
  if (lang === '*') return { value: lm, lang: '*' };
  const wanted = lang.split(',').map((l) => l.split(';')[0].trim());
  for (const w of wanted) {
    if (w in lm) return { value: lm[w], lang: w };
  }
  // Fall back to @none, then to the first language present (spec: any language when none matches).
  if ('@none' in lm) return { value: lm['@none'], lang: '@none' };
  const first = Object.keys(lm)[0];
  return { value: lm[first], lang: first };
}

export function renderInstance(i: Instance, ctx: ResolvedContext, o: RenderOptions): unknown {
  if (o.format === 'keyValues') return simpleValue(i, ctx, o);
  const out: Json = {};
  const concise = o.format === 'concise';
  switch (i.type) {
    case 'Relationship':
      if (!concise) out.type = 'Relationship';
      out.object = i.object;
      if (i.objectType !== undefined) out.objectType = compactVocab(i.objectType, ctx);
      break;
    case 'LanguageProperty':
      if (o.lang && i.languageMap) {
        const { value, lang } = langValue(i.languageMap, o.lang);
        if (!concise) out.type = 'Property';
        out.value = value;
        if (lang !== '*') out.lang = lang;
      } else {
        if (!concise) out.type = 'LanguageProperty';
        out.languageMap = i.languageMap;
      }
      break;
    case 'VocabProperty':
      if (!concise) out.type = 'VocabProperty';
      out.vocab = compactVocab(i.vocab!, ctx);
      break;
    case 'JsonProperty':
      if (!concise) out.type = 'JsonProperty';
      out.json = i.json;
      break;
    case 'ListProperty':
      if (!concise) out.type = 'ListProperty';
      out.valueList = i.valueList;
      break;
    case 'ListRelationship':
      if (!concise) out.type = 'ListRelationship';
      out.objectList = i.objectList;
      break;
    default:
      if (!concise) out.type = i.type;
      out.value = i.value;
  }
  if (i.datasetId !== undefined) out.datasetId = i.datasetId;
  if (i.observedAt !== undefined) out.observedAt = i.observedAt;
  if (i.unitCode !== undefined) out.unitCode = i.unitCode;
  if (o.sysAttrs) {
    if (i.createdAt) out.createdAt = i.createdAt;
    if (i.modifiedAt) out.modifiedAt = i.modifiedAt;
  }
  if (i.sub) {
    for (const [iri, s] of Object.entries(i.sub)) out[ctx.compact(iri)] = renderInstance(s, ctx, o);
  }
  // Concise: a Property or GeoProperty with nothing but its value collapses to the value.
  if (concise && (i.type === 'Property' || i.type === 'GeoProperty') && Object.keys(out).length === 1) {
    const v = out.value;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && i.type === 'Property') return out;
    return v;
  }
  return out;
}

function simpleValue(i: Instance, ctx: ResolvedContext, o: RenderOptions): unknown {
  switch (i.type) {
    case 'Relationship':
      return i.object;
    case 'LanguageProperty':
      return o.lang && i.languageMap
        ? langValue(i.languageMap, o.lang).value
        : { languageMap: i.languageMap };
    case 'VocabProperty':
      return { vocab: compactVocab(i.vocab!, ctx) };
    case 'JsonProperty':
      return { json: i.json };
    case 'ListProperty':
      return i.valueList;
    case 'ListRelationship':
      return i.objectList;
    default:
      return i.value;
  }
}

function compactVocab(v: string | string[], ctx: ResolvedContext): string | string[] {
  return Array.isArray(v) ? v.map((x) => ctx.compact(x)) : ctx.compact(v);
}
