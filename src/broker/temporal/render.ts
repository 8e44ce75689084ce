import type { ResolvedContext } from '../jsonld/contexts.js';
import type { Instance } from '../model.js';
import { renderInstance } from '../render.js';
import type { AggrMethod, Representation, TimeProperty } from './params.js';
import type { AggregateStream, StoredInstance, TemporalEntityRow } from './repository.js';

/** The temporal representations of an entity (GS CIM 009 v1.8, 4.5.x): normalized, concise, simplified, aggregated. */

type Json = Record<string, unknown>;

export interface TemporalRenderOptions {
  representation: Exclude<Representation, 'aggregatedValues'>;
  sysAttrs: boolean;
  timeproperty: TimeProperty;
  lang?: string;
}

function head(e: TemporalEntityRow, ctx: ResolvedContext, sysAttrs: boolean): Json {
  const types = e.types.map((t) => ctx.compact(t));
  const out: Json = { id: e.id, type: types.length === 1 ? types[0] : types };
  if (sysAttrs) {
    out.createdAt = e.createdAt;
    out.modifiedAt = e.modifiedAt;
  }
  if (e.deletedAt) out.deletedAt = e.deletedAt;
  return out;
}

/** Instances grouped by attribute, then by datasetId, keeping their (time) order. */
function streams<T extends { attr: string; datasetId: string }>(rows: T[]): Map<string, Map<string, T[]>> {
  const out = new Map<string, Map<string, T[]>>();
  for (const r of rows) {
    let byDataset = out.get(r.attr);
    if (!byDataset) {
      byDataset = new Map();
      out.set(r.attr, byDataset);
    }
    const list = byDataset.get(r.datasetId);
    if (list) list.push(r);
    else byDataset.set(r.datasetId, [r]);
  }
  return out;
}

export function renderTemporalEntity(
  e: TemporalEntityRow,
  instances: StoredInstance[],
  ctx: ResolvedContext,
  o: TemporalRenderOptions,
): Json {
  const out = head(e, ctx, o.sysAttrs);
  for (const [attr, byDataset] of streams(instances)) {
    const name = ctx.compact(attr);
    if (o.representation === 'temporalValues') {
      const list = [...byDataset.entries()].map(([datasetId, rows]) => simplified(rows, datasetId, ctx));
      out[name] = list.length === 1 ? list[0] : list;
    } else {
      out[name] = [...byDataset.values()].flat().map((i) => renderStored(i, ctx, o));
    }
  }
  return out;
}

function renderStored(i: StoredInstance, ctx: ResolvedContext, o: TemporalRenderOptions): Json {
  const format = o.representation === 'concise' ? 'concise' : 'normalized';
  const r = renderInstance(i.inst, ctx, { format, sysAttrs: false, lang: o.lang });
  // A concise instance may collapse to its bare value; a temporal instance needs room for instanceId.
  const out: Json =
    r !== null && typeof r === 'object' && !Array.isArray(r) ? { ...(r as Json) } : { value: r };
  out.instanceId = i.instanceId;
  // Every instance carries the time that places it in history: observedAt, else its system times.
  const noObserved = i.inst.observedAt === undefined;
  if (o.sysAttrs || o.timeproperty === 'createdAt' || noObserved) out.createdAt = i.createdAt;
  if (o.sysAttrs || o.timeproperty === 'modifiedAt' || noObserved) out.modifiedAt = i.modifiedAt;
  if (i.deletedAt) out.deletedAt = i.deletedAt;
  return out;
}

/** The member holding the values of each attribute type in the simplified temporal representation. */
const SIMPLIFIED_MEMBER: Record<Instance['type'], string> = {
  Property: 'values',
  GeoProperty: 'values',
  Relationship: 'objects',
  LanguageProperty: 'languageMaps',
  VocabProperty: 'vocabs',
  JsonProperty: 'jsons',
  ListProperty: 'valueLists',
  ListRelationship: 'objectLists',
};

function valueMember(i: Instance, ctx: ResolvedContext): unknown {
  switch (i.type) {
    case 'Relationship':
      return i.object;
    case 'LanguageProperty':
      return i.languageMap;
    case 'VocabProperty':
      return Array.isArray(i.vocab) ? i.vocab.map((v) => ctx.compact(v)) : ctx.compact(i.vocab ?? '');
    case 'JsonProperty':
      return i.json;
    case 'ListProperty':
      return i.valueList;
    case 'ListRelationship':
      return i.objectList;
    default:
      return i.value;
  }
}

/** `{"type": "Property", "values": [[value, time], ...]}`, time being the queried timeproperty. */
function simplified(rows: StoredInstance[], datasetId: string, ctx: ResolvedContext): Json {
  const type = rows[rows.length - 1].inst.type;
  const out: Json = { type };
  if (datasetId) out.datasetId = datasetId;
  out[SIMPLIFIED_MEMBER[type] ?? 'values'] = rows.map((r) => [valueMember(r.inst, ctx), r.t]);
  return out;
}

/** `{"type": "Property", "avg": [[value, start, end], ...], ...}` per attribute and datasetId. */
export function renderAggregatedEntity(
  e: TemporalEntityRow,
  streamsOfEntity: AggregateStream[],
  ctx: ResolvedContext,
  methods: AggrMethod[],
): Json {
  const out = head(e, ctx, false);
  // Streams come ordered by attribute, then datasetId (the default instance, '', first).
  for (const [attr, byDataset] of streams(streamsOfEntity)) {
    const list = [...byDataset.values()].map(([st]) => {
      const a: Json = { type: st.type };
      if (st.datasetId) a.datasetId = st.datasetId;
      for (const m of methods) a[m] = st.series[m] ?? [];
      return a;
    });
    out[ctx.compact(attr)] = list.length === 1 ? list[0] : list;
  }
  return out;
}
