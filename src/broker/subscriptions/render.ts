import type { Instance, StoredEntity } from '../model.js';
import { renderEntity, renderInstance } from '../render.js';
import type { LiveSubscription } from './cache.js';

/** The entities of a notification (the `data` member, GS CIM 009 5.3.1), rendered per the subscription. */

const NULL_URI = 'urn:ngsi-ld:null';

/** What changed in one entity, as the matcher sees it. */
export interface EntityChange {
  id: string;
  before?: StoredEntity;
  after?: StoredEntity;
  /** Attribute IRIs created, updated and deleted by the change (empty for entity creation/deletion). */
  created: string[];
  updated: string[];
  deleted: string[];
}

/** A deleted entity: its id, type and deletedAt (5.8.6). */
function deletedEntity(e: StoredEntity, s: LiveSubscription, now: string): Record<string, unknown> {
  const types = e.types.map((t) => s.nCtx.compact(t));
  return { id: e.id, type: types.length === 1 ? types[0] : types, deletedAt: now };
}

/** A deleted attribute is notified with the NGSI-LD Null as its value and its deletedAt. */
function deletedAttribute(prior: Instance | undefined, s: LiveSubscription, now: string): unknown {
  if (s.render.format === 'keyValues') return NULL_URI;
  const rel = prior?.type === 'Relationship';
  const out: Record<string, unknown> = {};
  if (s.render.format === 'normalized') out.type = prior?.type ?? 'Property';
  out[rel ? 'object' : 'value'] = NULL_URI;
  out.deletedAt = now;
  return out;
}

const VALUE_MEMBERS: [keyof Instance, string][] = [
  ['value', 'previousValue'],
  ['object', 'previousObject'],
  ['languageMap', 'previousLanguageMap'],
  ['vocab', 'previousVocab'],
  ['json', 'previousJson'],
  ['valueList', 'previousValueList'],
  ['objectList', 'previousObjectList'],
];

/** showChanges: the previous value member of each instance whose value changed (matched by datasetId). */
function withPrevious(
  rendered: unknown,
  after: Instance[],
  before: Instance[],
  s: LiveSubscription,
): unknown {
  const list = Array.isArray(rendered) && after.length > 1 ? rendered : [rendered];
  const out = list.map((r, i) => {
    const a = after[i];
    const b = a && before.find((x) => (x.datasetId ?? '') === (a.datasetId ?? ''));
    if (!a || !b) return r;
    const member = VALUE_MEMBERS.find(([k]) => b[k] !== undefined);
    if (!member || JSON.stringify(a[member[0]]) === JSON.stringify(b[member[0]])) return r;
    const obj =
      r && typeof r === 'object' && !Array.isArray(r)
        ? (r as Record<string, unknown>)
        : { value: r as unknown };
    const prev = renderInstance({ ...b, sub: undefined }, s.nCtx, { format: 'normalized', sysAttrs: false });
    return { ...obj, [member[1]]: (prev as Record<string, unknown>)[member[0]] };
  });
  return Array.isArray(rendered) && after.length > 1 ? out : out[0];
}

export function renderChange(c: EntityChange, s: LiveSubscription, now: string): Record<string, unknown> {
  if (!c.after) return deletedEntity(c.before!, s, now);
  const out = renderEntity(c.after, s.nCtx, s.render);
  if (s.body.notification.showChanges && c.before) {
    for (const iri of c.updated) {
      if (s.render.attrs && !s.render.attrs.has(iri)) continue;
      const name = s.nCtx.compact(iri);
      if (name in out) out[name] = withPrevious(out[name], c.after.attrs[iri], c.before.attrs[iri] ?? [], s);
    }
  }
  if (c.deleted.length && (s.triggers.has('attributeDeleted') || s.triggers.has('entityUpdated'))) {
    for (const iri of c.deleted) {
      if (s.render.attrs && !s.render.attrs.has(iri)) continue;
      if (s.watched && !s.watched.has(iri)) continue;
      out[s.nCtx.compact(iri)] = deletedAttribute(c.before?.attrs[iri]?.[0], s, now);
    }
  }
  return out;
}

/** The Notification body (5.3.1) around already rendered data, with the @context for application/ld+json. */
export function notificationBody(
  id: string,
  subscriptionId: string,
  data: string,
  meta: { accept: string; context: unknown },
  notifiedAt = new Date().toISOString(),
): string {
  const ctx = meta.accept === 'application/ld+json' ? `,"@context":${JSON.stringify(meta.context)}` : '';
  return (
    `{"id":${JSON.stringify(`urn:ngsi-ld:Notification:${id}`)},"type":"Notification",` +
    `"subscriptionId":${JSON.stringify(subscriptionId)},"notifiedAt":"${notifiedAt}","data":${data}${ctx}}`
  );
}
