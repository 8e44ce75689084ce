import type { Broker } from '../broker/index.js';

/**
 * Reference data of the Port of Le Havre for the demo: the port, its authority, container and cruise
 * terminals with their quays. Coordinates are approximate (within ~200 m), taken from public maps; a site
 * replaces them with its own surveyed geofences. Live vessels come from the AIS connectors.
 */

const SDM =
  'https://raw.githubusercontent.com/smart-data-models/dataModel.MarineTransport/master/context.jsonld';
void SDM; // the demo uses the core context: names expand to the NGSI-LD default vocabulary

type Lonlat = [number, number];

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const box = (c: Lonlat, dLon: number, dLat: number): Lonlat[][] => {
  const [w, e, s, n] = [r6(c[0] - dLon), r6(c[0] + dLon), r6(c[1] - dLat), r6(c[1] + dLat)];
  return [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ];
};

const TERMINALS: {
  code: string;
  name: string;
  kind: string;
  operator: string;
  at: Lonlat;
  berths: number;
}[] = [
  {
    code: 'TDF',
    name: 'Terminal de France',
    kind: 'container',
    operator: 'Generalis Terminal de France',
    at: [0.1195, 49.4615],
    berths: 4,
  },
  {
    code: 'TPO',
    name: 'Terminal Porte Océane',
    kind: 'container',
    operator: 'TPO (GMP / DP World)',
    at: [0.1335, 49.4608],
    berths: 4,
  },
  {
    code: 'TNMSC',
    name: 'Terminal de Normandie MSC',
    kind: 'container',
    operator: 'TNMSC',
    at: [0.1555, 49.4598],
    berths: 4,
  },
  {
    code: 'TDA',
    name: 'Terminal des Amériques',
    kind: 'container',
    operator: 'Générale de Manutention Portuaire',
    at: [0.1405, 49.4745],
    berths: 2,
  },
  {
    code: 'TDE',
    name: "Terminal de l'Europe",
    kind: 'container',
    operator: 'Générale de Manutention Portuaire',
    at: [0.132, 49.4785],
    berths: 2,
  },
  {
    code: 'TAT',
    name: "Terminal de l'Atlantique",
    kind: 'container',
    operator: 'Terminal de l\u2019Atlantique',
    at: [0.164, 49.4725],
    berths: 2,
  },
  {
    code: 'CRU',
    name: 'Terminal croisière de la Pointe de Floride',
    kind: 'cruise',
    operator: 'Le Havre Cruise Port',
    at: [0.0965, 49.4838],
    berths: 3,
  },
  {
    code: 'ROR',
    name: 'Terminal roulier de la Citadelle',
    kind: 'roro',
    operator: 'HAROPA Port',
    at: [0.115, 49.486],
    berths: 2,
  },
];

export function leHavreEntities(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [
    {
      id: 'urn:ngsi-ld:Port:FRLEH',
      type: 'Port',
      name: { type: 'Property', value: 'Port du Havre' },
      portCode: { type: 'Property', value: 'FRLEH' },
      description: {
        type: 'LanguageProperty',
        languageMap: {
          fr: "Premier port à conteneurs de France, sur l'estuaire de la Seine",
          en: "France's first container port, on the Seine estuary",
        },
      },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0.14, 49.47] } },
      refPortAuthority: { type: 'Relationship', object: 'urn:ngsi-ld:PortAuthority:HAROPA' },
      scope: '/Le_Havre/Port',
    },
    {
      id: 'urn:ngsi-ld:PortAuthority:HAROPA',
      type: 'PortAuthority',
      name: { type: 'Property', value: 'HAROPA Port' },
      address: {
        type: 'Property',
        value: {
          streetAddress: 'Terre-plein de la Barre',
          postalCode: '76600',
          addressLocality: 'Le Havre',
          addressCountry: 'FR',
        },
      },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0.1065, 49.484] } },
      scope: '/Le_Havre/Port',
    },
  ];
  for (const t of TERMINALS) {
    const id = `urn:ngsi-ld:Terminal:FRLEH-${t.code}`;
    out.push({
      id,
      type: 'Terminal',
      name: { type: 'Property', value: t.name },
      terminalType: { type: 'Property', value: t.kind },
      operator: { type: 'Property', value: t.operator },
      location: { type: 'GeoProperty', value: { type: 'Polygon', coordinates: box(t.at, 0.009, 0.0025) } },
      refPort: { type: 'Relationship', object: 'urn:ngsi-ld:Port:FRLEH' },
      scope: `/Le_Havre/Port/${t.code}`,
    });
    for (let i = 1; i <= t.berths; i++) {
      const lon = t.at[0] - 0.0075 + ((i - 0.5) * 0.015) / t.berths;
      out.push({
        id: `urn:ngsi-ld:Berth:FRLEH-${t.code}-${i}`,
        type: 'Berth',
        name: { type: 'Property', value: `${t.name} — poste ${i}` },
        berthCode: { type: 'Property', value: `${t.code}-${i}` },
        status: { type: 'Property', value: 'free' },
        location: {
          type: 'GeoProperty',
          value: { type: 'Polygon', coordinates: box([lon, t.at[1] - 0.0022], 0.0016, 0.0004) },
        },
        refTerminal: { type: 'Relationship', object: id },
        scope: `/Le_Havre/Port/${t.code}`,
      });
    }
  }
  return out;
}

/** Loads the demo into an empty store; a store that already holds data is left alone. */
export async function seedDemo(broker: Broker): Promise<{ created: number; skipped: boolean }> {
  if ((await broker.count()) > 0) return { created: 0, skipped: true };
  const created = await broker.upsert(leHavreEntities());
  return { created: created.length, skipped: false };
}
