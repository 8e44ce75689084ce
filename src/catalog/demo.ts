import { randomUUID } from 'node:crypto';
import type { Db } from '../db/db.js';
import { checkPolicy } from './access.js';
import type { DatasetCreate, DistributionCreate } from './model.js';
import { catalogRepository } from './repository.js';

/** The port of Le Havre and its industrial zone, roughly (lon, lat). */
const PORT_AREA = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [0.05, 49.42],
      [0.3, 49.42],
      [0.3, 49.5],
      [0.05, 49.5],
      [0.05, 49.42],
    ],
  ],
};

interface DemoDataset {
  owner: string;
  dataset: Omit<DatasetCreate, 'orgId'>;
  distributions: DistributionCreate[];
}

/** The three demo datasets of Le Havre: AIS vessels (open), truck gate waiting times (restricted), waste (account). */
export const LE_HAVRE_DATASETS: DemoDataset[] = [
  {
    owner: 'haropa-port',
    dataset: {
      title: { fr: 'Navires en approche et à quai (AIS)', en: 'Vessels approaching and at berth (AIS)' },
      description: {
        fr: "Positions, vitesses et caps des navires dans l'estuaire de la Seine, issus des messages AIS. Les navires de classe B (plaisance) sont exclus.",
        en: 'Positions, speeds and headings of vessels in the Seine estuary, decoded from AIS messages. Class B (pleasure) craft are left out.',
      },
      contact: { name: 'HAROPA Port – data', url: 'https://www.haropaport.com' },
      license: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
      themes: ['TRAN'],
      keywords: ['AIS', 'navires', 'vessels', 'port', 'maritime'],
      spatial: { name: 'Le Havre', geometry: PORT_AREA },
      temporal: { start: '2026-01-01T00:00:00Z' },
      frequency: 'CONT',
      access: 'open',
    },
    distributions: [
      {
        kind: 'ngsi-ld',
        title: { fr: 'Entités Vessel (NGSI-LD)', en: 'Vessel entities (NGSI-LD)' },
        entityType: 'Vessel',
        attributes: [
          'mmsi',
          'name',
          'location',
          'speedOverGround',
          'courseOverGround',
          'heading',
          'navigationalStatus',
        ],
      },
    ],
  },
  {
    owner: 'soget',
    dataset: {
      title: {
        fr: "Temps d'attente des camions aux portes des terminaux",
        en: 'Truck waiting times at terminal gates',
      },
      description: {
        fr: "Par terminal et par heure : entrées, sorties, rotations, temps d'attente moyen, médian et maximal des camions.",
        en: 'Per terminal and hour: gate-ins, gate-outs, turnarounds, average, median and maximum truck waiting times.',
      },
      contact: { name: 'Soget – data services', url: 'https://www.soget.fr' },
      license: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
      themes: ['TRAN', 'ECON'],
      keywords: ['camions', 'trucks', 'terminaux', 'gates', 'logistique'],
      spatial: { name: 'Le Havre', geometry: PORT_AREA },
      temporal: { start: '2026-01-01T00:00:00Z' },
      frequency: 'HOURLY',
      access: 'restricted',
      policy: {
        '@context': 'http://www.w3.org/ns/odrl.jsonld',
        '@type': 'Offer',
        uid: 'urn:escale:policy:truck-gate-waiting-times',
        permission: [
          {
            action: 'use',
            constraint: [
              {
                leftOperand: 'purpose',
                operator: 'isAnyOf',
                rightOperand: ['research', 'logistics-optimisation'],
              },
              {
                leftOperand: 'dateTime',
                operator: 'lt',
                rightOperand: { '@value': '2027-12-31T23:59:59Z', '@type': 'xsd:dateTime' },
              },
              { leftOperand: 'count', operator: 'lteq', rightOperand: 10000 },
            ],
            duty: [{ action: 'attribute' }],
          },
        ],
        prohibition: [{ action: 'distribute' }],
      },
    },
    distributions: [
      {
        kind: 'ngsi-ld',
        title: { fr: 'Statistiques horaires des portes (NGSI-LD)', en: 'Hourly gate statistics (NGSI-LD)' },
        entityType: 'TruckGateStatistics',
        attributes: [
          'terminal',
          'dateObservedFrom',
          'dateObservedTo',
          'averageWaitingTime',
          'medianWaitingTime',
          'maxWaitingTime',
        ],
      },
    ],
  },
  {
    owner: 'le-havre-seine-metropole',
    dataset: {
      title: { fr: 'Taux de remplissage des conteneurs à déchets', en: 'Waste container fill levels' },
      description: {
        fr: 'Niveau de remplissage des points d’apport volontaire de la métropole, relevé par capteurs.',
        en: 'Fill level of the metropolis’s drop-off containers, measured by sensors.',
      },
      contact: { name: 'Le Havre Seine Métropole – déchets', url: 'https://www.lehavreseinemetropole.fr' },
      license: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
      themes: ['ENVI', 'REGI'],
      keywords: ['déchets', 'waste', 'conteneurs', 'containers', 'capteurs'],
      spatial: { name: 'Le Havre Seine Métropole' },
      frequency: 'HOURLY',
      access: 'account',
    },
    distributions: [
      {
        kind: 'ngsi-ld',
        title: { fr: 'Entités WasteContainer (NGSI-LD)', en: 'WasteContainer entities (NGSI-LD)' },
        entityType: 'WasteContainer',
        attributes: ['fillingLevel', 'location', 'storedWasteKind', 'binCapacity', 'status'],
      },
    ],
  },
];

export interface CatalogSeed {
  datasets: number;
  skipped: boolean;
}

/**
 * Seeds the demo catalog when it is empty. `orgBySlug` resolves the owner organisations (governance); a dataset
 * whose owner is missing is left out.
 */
export async function seedCatalogDemo(
  db: Db,
  orgBySlug: (slug: string) => Promise<{ id: string } | undefined>,
): Promise<CatalogSeed> {
  const existing = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cat_datasets');
  if (existing.rows[0].n > 0) return { datasets: 0, skipped: true };
  const repo = catalogRepository(db);
  let datasets = 0;
  for (const d of LE_HAVRE_DATASETS) {
    const org = await orgBySlug(d.owner);
    if (!org) continue;
    // The owner organisation is the assigner of its offer (an ODRL Offer must name one).
    const policy = d.dataset.policy ? { ...d.dataset.policy, assigner: `urn:uuid:${org.id}` } : undefined;
    if (policy) checkPolicy(policy);
    const id = randomUUID();
    await repo.insertDataset(id, { ...d.dataset, orgId: org.id, ...(policy ? { policy } : {}) });
    for (const x of d.distributions) await repo.insertDistribution(randomUUID(), id, x);
    datasets++;
  }
  return { datasets, skipped: false };
}
