import jsonld from 'jsonld';
import { Parser, Writer } from 'n3';
import type { DataService, Dataset, Distribution, LangText } from './model.js';
import type { AnyConstraint, Duty, Policy, RightOperand, Rule } from './odrl/index.js';
import { parsePolicy } from './odrl/index.js';

/** Prefixes of the DCAT-AP export (JSON-LD context and Turtle prefixes). */
export const PREFIXES = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  odrl: 'http://www.w3.org/ns/odrl/2/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  locn: 'http://www.w3.org/ns/locn#',
  gsp: 'http://www.opengis.net/ont/geosparql#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
} as const;

const THEME = 'http://publications.europa.eu/resource/authority/data-theme/';
const FREQUENCY = 'http://publications.europa.eu/resource/authority/frequency/';
const ACCESS_RIGHT = 'http://publications.europa.eu/resource/authority/access-right/';
const ACCESS_RIGHTS = { open: 'PUBLIC', account: 'RESTRICTED', restricted: 'NON_PUBLIC' } as const;

type Node = Record<string, unknown>;

export interface ExportInput {
  /** Public base URL of this platform, without a trailing slash. */
  base: string;
  datasets: Dataset[];
  services: DataService[];
  /** Organisation id → display name. */
  publishers: Map<string, string>;
}

const iri = (id: string) => ({ '@id': id });
const dateTime = (v: string) => ({ '@value': v, '@type': 'xsd:dateTime' });
const lang = (t: LangText) =>
  (['fr', 'en'] as const).flatMap((l) => (t[l] ? [{ '@value': t[l], '@language': l }] : []));
const isIri = (s: string) => /^[a-z][a-z0-9+.-]*:[^\s]*$/i.test(s) && !/^\d/.test(s);

export const datasetIri = (base: string, id: string) => `${base}/api/catalog/datasets/${id}`;
export const publisherIri = (base: string, orgId: string) => `${base}/api/organisations/${orgId}`;

/** The DCAT-AP catalog as a JSON-LD document (compacted with the prefixes above). */
export function catalogJsonLd(input: ExportInput): Node {
  const { base } = input;
  const agent = (orgId: string): Node => ({
    '@id': publisherIri(base, orgId),
    '@type': 'foaf:Agent',
    'foaf:name': input.publishers.get(orgId) ?? orgId,
  });
  return {
    '@context': PREFIXES,
    '@id': `${base}/catalog`,
    '@type': 'dcat:Catalog',
    'dct:title': lang({ fr: 'Catalogue de données Escale', en: 'Escale data catalog' }),
    'dct:description': lang({
      fr: 'Les jeux de données partagés sur la plateforme Escale (Le Havre Smart Port City).',
      en: 'The datasets shared on the Escale platform (Le Havre Smart Port City).',
    }),
    'foaf:homepage': iri(base),
    'dct:publisher': { '@id': `${base}/`, '@type': 'foaf:Agent', 'foaf:name': 'Escale' },
    'dcat:dataset': input.datasets.map((d) => datasetNode(base, d, agent(d.orgId))),
    'dcat:service': input.services.map((s) => serviceNode(base, s, agent(s.orgId))),
  };
}

function datasetNode(base: string, d: Dataset, publisher: Node): Node {
  const id = datasetIri(base, d.id);
  const n: Node = {
    '@id': id,
    '@type': 'dcat:Dataset',
    'dct:identifier': d.id,
    'dct:title': lang(d.title),
    'dct:description': lang(d.description),
    'dct:publisher': publisher,
    'dct:accessRights': iri(ACCESS_RIGHT + ACCESS_RIGHTS[d.access]),
    'dct:issued': dateTime(d.created),
    'dct:modified': dateTime(d.modified),
  };
  if (d.contact) {
    n['dcat:contactPoint'] = {
      '@type': 'vcard:Kind',
      'vcard:fn': d.contact.name,
      ...(d.contact.email ? { 'vcard:hasEmail': iri(`mailto:${d.contact.email}`) } : {}),
      ...(d.contact.url ? { 'vcard:hasURL': iri(d.contact.url) } : {}),
    };
  }
  if (d.themes.length) n['dcat:theme'] = d.themes.map((t) => iri(THEME + t));
  if (d.keywords.length) n['dcat:keyword'] = d.keywords;
  if (d.spatial) {
    n['dct:spatial'] = {
      '@type': 'dct:Location',
      ...(d.spatial.name ? { 'rdfs:label': d.spatial.name } : {}),
      ...(d.spatial.geometry
        ? { 'locn:geometry': { '@value': JSON.stringify(d.spatial.geometry), '@type': 'gsp:geoJSONLiteral' } }
        : {}),
    };
  }
  if (d.temporal) {
    n['dct:temporal'] = {
      '@type': 'dct:PeriodOfTime',
      ...(d.temporal.start ? { 'dcat:startDate': dateTime(d.temporal.start) } : {}),
      ...(d.temporal.end ? { 'dcat:endDate': dateTime(d.temporal.end) } : {}),
    };
  }
  if (d.frequency) n['dct:accrualPeriodicity'] = iri(FREQUENCY + d.frequency);
  if (d.policy) {
    const parsed = parsePolicy(d.policy);
    if (parsed.ok) n['odrl:hasPolicy'] = policyNode(parsed.policy, id, publisher['@id'] as string);
  }
  if (d.distributions.length)
    n['dcat:distribution'] = d.distributions.map((x) => distributionNode(base, d, x));
  return n;
}

function distributionNode(base: string, d: Dataset, x: Distribution): Node {
  const n: Node = { '@id': `${datasetIri(base, d.id)}/distributions/${x.id}`, '@type': 'dcat:Distribution' };
  if (x.title) n['dct:title'] = lang(x.title);
  if (d.license) n['dct:license'] = iri(d.license);
  if (x.kind === 'ngsi-ld' && x.entityType) {
    const q = new URLSearchParams({ type: x.entityType });
    if (x.attributes?.length) q.set('attrs', x.attributes.join(','));
    n['dcat:accessURL'] = iri(`${base}/ngsi-ld/v1/entities?${q}`);
    n['dcat:mediaType'] = iri('https://www.iana.org/assignments/media-types/application/ld+json');
    n['dct:conformsTo'] = iri('https://www.etsi.org/deliver/etsi_gs/CIM/001_099/009/');
    n['dct:description'] = lang({
      fr: `Entités NGSI-LD de type ${x.entityType}${x.attributes?.length ? ` (attributs ${x.attributes.join(', ')})` : ''}`,
      en: `NGSI-LD entities of type ${x.entityType}${x.attributes?.length ? ` (attributes ${x.attributes.join(', ')})` : ''}`,
    });
  } else if (x.url) {
    n['dcat:accessURL'] = iri(x.url);
    if (x.kind === 'file') n['dcat:downloadURL'] = iri(x.url);
    if (x.mediaType) n['dcat:mediaType'] = iri(`https://www.iana.org/assignments/media-types/${x.mediaType}`);
    if (x.format) n['dct:format'] = x.format;
  }
  return n;
}

function serviceNode(base: string, s: DataService, publisher: Node): Node {
  return {
    '@id': `${base}/api/catalog/dataservices/${s.id}`,
    '@type': 'dcat:DataService',
    'dct:identifier': s.id,
    'dct:title': lang(s.title),
    ...(s.description ? { 'dct:description': lang(s.description) } : {}),
    'dct:publisher': publisher,
    'dcat:endpointURL': iri(s.endpointUrl),
    ...(s.endpointDescription ? { 'dcat:endpointDescription': iri(s.endpointDescription) } : {}),
    'dct:accessRights': iri(ACCESS_RIGHT + ACCESS_RIGHTS[s.access]),
    ...(s.servesDatasets.length
      ? { 'dcat:servesDataset': s.servesDatasets.map((id) => iri(datasetIri(base, id))) }
      : {}),
  };
}

// ---- ODRL in the export: from the parsed policy, so that every term is an ODRL IRI ----

const odrl = (local: string) => iri(`odrl:${local}`);
const ref = (s: string) => (isIri(s) ? iri(s) : s);

/** An ODRL policy as JSON-LD nodes; missing targets and assigners default to the dataset and its publisher. */
export function policyNode(p: Policy, target: string, assigner: string): Node {
  const rule = (r: Rule, withDuties: boolean): Node => ({
    'odrl:action': r.refinements.length
      ? { 'rdf:value': odrl(r.action), 'odrl:refinement': r.refinements.map(constraintNode) }
      : actionRef(r.action),
    'odrl:target': iri(r.target ?? p.target ?? target),
    'odrl:assigner': iri(r.assigner ?? p.assigner ?? assigner),
    ...((r.assignee ?? p.assignee) ? { 'odrl:assignee': (r.assignee ?? p.assignee ?? []).map(ref) } : {}),
    ...(r.constraints.length ? { 'odrl:constraint': r.constraints.map(constraintNode) } : {}),
    ...(withDuties && r.duties.length ? { 'odrl:duty': r.duties.map(dutyNode) } : {}),
  });
  return {
    '@id': p.uid && isIri(p.uid) ? p.uid : `${target}#policy`,
    '@type': `odrl:${p.type}`,
    ...(p.profile ? { 'odrl:profile': ref(p.profile) } : {}),
    ...(p.permissions.length ? { 'odrl:permission': p.permissions.map((r) => rule(r, true)) } : {}),
    ...(p.prohibitions.length ? { 'odrl:prohibition': p.prohibitions.map((r) => rule(r, false)) } : {}),
    ...(p.obligations.length ? { 'odrl:obligation': p.obligations.map(dutyNode) } : {}),
  };
}

const actionRef = (a: string) => (isIri(a) ? iri(a) : odrl(a));

function dutyNode(d: Duty): Node {
  return {
    'odrl:action': actionRef(d.action),
    ...(d.constraints.length ? { 'odrl:constraint': d.constraints.map(constraintNode) } : {}),
  };
}

function constraintNode(c: AnyConstraint): Node {
  if (c.kind === 'logical') return { [`odrl:${c.operator}`]: { '@list': c.constraints.map(constraintNode) } };
  return {
    'odrl:leftOperand': odrl(c.leftOperand),
    'odrl:operator': odrl(c.operator),
    'odrl:rightOperand': rightNode(c.rightOperand),
    ...(c.unit ? { 'odrl:unit': ref(c.unit) } : {}),
  };
}

function rightNode(r: RightOperand): unknown {
  switch (r.kind) {
    case 'strings':
      return r.values.map(ref);
    case 'number':
      return { '@value': String(r.value), '@type': 'xsd:decimal' };
    case 'dateTime':
      return dateTime(r.text);
    case 'duration':
      return { '@value': r.text, '@type': 'xsd:duration' };
    case 'areas':
      return r.values.map((v) =>
        v.area ? { '@value': JSON.stringify(v.area), '@type': 'gsp:geoJSONLiteral' } : ref(v.name ?? ''),
      );
  }
}

/** The same catalog in Turtle: JSON-LD → N-Quads (`jsonld`) → Turtle with prefixes (`n3`). */
export async function catalogTurtle(doc: Node): Promise<string> {
  const nquads = (await jsonld.toRDF(doc as jsonld.JsonLdDocument, {
    format: 'application/n-quads',
  })) as unknown as string;
  const quads = new Parser({ format: 'N-Quads' }).parse(nquads);
  const writer = new Writer({ prefixes: { ...PREFIXES } });
  writer.addQuads(quads);
  return new Promise((resolve, reject) => writer.end((err, out) => (err ? reject(err) : resolve(out))));
}
