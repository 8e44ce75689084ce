import type { Db, Queryable } from '../db/db.js';
import type { IndicatorCreate, ProjectCreate } from './model.js';
import { fromRow, insertRow, KINDS, type Row } from './store.js';
import { type Indicator, saveValues } from './values.js';

/**
 * The Le Havre Smart Port City programme (PIA3 "Territoires d'innovation", 2019–2029, 241 M€, 80+ partners):
 * its three topics, actions (among them the four actions of the Intelligent Cities Challenge deliverable with
 * the KPIs it lists), ~30 projects and a first set of indicators. Projects named in the programme's documents
 * (Smart Data Services, MobiSmart Port, cybersecurity, Rêver, CarboLocal...) are kept; budgets, dates and
 * locations are illustrative.
 */

const ACTOR = 'seed:le-havre';

type ProjectSeed = Omit<ProjectCreate, 'location'> & { at: [number, number] };

const TOPICS = [
  {
    code: 'T1',
    nameFr: 'Développement territorial et attractivité',
    nameEn: 'Territorial development and attractiveness',
    description:
      'Upskilling and re-skilling towards port and industrial trades, city–port interface, quality of life.',
    actions: [
      {
        code: 'A1_1',
        nameFr: 'Compétences et métiers portuaires et industriels',
        nameEn: 'Skills for port and industrial trades',
        leadOrganisation: 'Université Le Havre Normandie',
      },
      {
        code: 'A1_2',
        nameFr: 'Interface ville-port et attractivité',
        nameEn: 'City–port interface and attractiveness',
        leadOrganisation: 'Le Havre Seine Métropole',
      },
      {
        code: 'ICC1',
        nameFr: "Observatoire de l'innovation et de la Smart Port City",
        nameEn: 'Innovation and Smart Port City Observatory',
        description:
          'Monitor the progress and impact of the programme over 10 years; engage with the local ecosystem (ICC action 1).',
        leadOrganisation: 'Le Havre Seine Métropole (AURH project manager)',
      },
      {
        code: 'ICC2',
        nameFr: 'Intrapreneuriat dans les administrations locales',
        nameEn: 'Intrapreneurial support within local administrations',
        description:
          'Develop a culture of innovation in the public sector with an intrapreneurship programme (ICC action 2).',
        leadOrganisation: 'Le Havre Seine Métropole, French Tech Le Havre',
      },
      {
        code: 'ICC4',
        nameFr: 'Communautés de pratique et défis d’innovation ouverte',
        nameEn: 'Communities of practice and open innovation challenges',
        description:
          'Active communities of innovation stakeholders around key themes, and innovation challenges (ICC action 4).',
        leadOrganisation: 'Le Havre Seine Métropole, French Tech Le Havre',
      },
    ],
  },
  {
    code: 'T2',
    nameFr: 'Compétitivité portuaire',
    nameEn: 'Port competitiveness',
    description: 'Swifter, safer and more innovative flows of goods; data exchange between port actors.',
    actions: [
      {
        code: 'A2_1',
        nameFr: 'Smart Data Services et numérique portuaire',
        nameEn: 'Smart Data Services and port digitalisation',
        leadOrganisation: 'HAROPA Port',
      },
      {
        code: 'A2_2',
        nameFr: 'Mobilité portuaire et flux logistiques',
        nameEn: 'Port mobility and logistics flows',
        leadOrganisation: 'HAROPA Port',
      },
      {
        code: 'ICC3',
        nameFr: 'Achat public innovant',
        nameEn: 'Innovative public procurement',
        description: 'Leverage public procurement as a driver for local innovation (ICC action 3).',
        leadOrganisation: 'Le Havre Seine Métropole',
      },
    ],
  },
  {
    code: 'T3',
    nameFr: 'Transitions numérique et environnementale de l’industrie',
    nameEn: 'Industrial digital and environmental transitions',
    description:
      'Demonstrators and plants to recycle waste or produce energy; digital industry (5G, sensors, cybersecurity).',
    actions: [
      {
        code: 'A3_1',
        nameFr: 'Démonstrateurs énergie et économie circulaire',
        nameEn: 'Energy and circular economy demonstrators',
        leadOrganisation: 'Synerzip LH',
      },
      {
        code: 'A3_2',
        nameFr: 'Industrie numérique : 5G, capteurs, cybersécurité',
        nameEn: 'Digital industry: 5G, sensors, cybersecurity',
        leadOrganisation: 'HAROPA Port',
      },
    ],
  },
];

const P = (
  code: string,
  action: string,
  name: string,
  lead: string,
  budget: number,
  status: ProjectCreate['status'],
  at: [number, number],
  partners: string[] = [],
  extra: Partial<ProjectSeed> = {},
): ProjectSeed & { action: string } => ({
  code,
  action,
  name,
  leadOrganisation: lead,
  budget,
  status,
  at,
  partners,
  funding: [
    { source: 'PIA3 Territoires d’innovation (Banque des Territoires)', amount: Math.round(budget * 0.2) },
    { source: 'Partners', amount: Math.round(budget * 0.8) },
  ],
  contactEmail: `${code.toLowerCase().replace(/_/g, '-')}@projects.escale.local`,
  ...extra,
});

export const LE_HAVRE_PROJECTS = [
  P(
    'SDS',
    'A2_1',
    'Smart Data Services',
    'HAROPA Port',
    6_500_000,
    'ongoing',
    [0.145, 49.478],
    ['Le Havre Seine Métropole', 'Orange', 'Cisco', 'Soget'],
    {
      description:
        'Data exchange platform and service offer for the port and the territory; first use cases port mobility and urban waste.',
      milestones: [
        { name: 'Partnership agreement signed', date: '2019-10-25', done: true },
        { name: 'Use cases port mobility and waste live', date: '2022-06-30', done: true },
        { name: 'Open to start-ups', date: '2026-06-30' },
      ],
    },
  ),
  P(
    'MOBISMART',
    'A2_2',
    'MobiSmart Port',
    'HAROPA Port',
    4_200_000,
    'ongoing',
    [0.165, 49.466],
    ['Soget', 'Terminal Porte Océane'],
  ),
  P(
    'CYBERMAR',
    'A3_2',
    'Cybersécurité du transport maritime',
    'Soget',
    3_100_000,
    'ongoing',
    [0.113, 49.492],
    ['HAROPA Port', 'Université Le Havre Normandie'],
  ),
  P(
    'REVER',
    'A1_2',
    'Rêver – Réinventer la Seine',
    'Le Havre Seine Métropole',
    9_000_000,
    'delayed',
    [0.107, 49.486],
    ['HAROPA Port'],
    {
      milestones: [{ name: 'Works start', date: '2024-09-01' }],
    },
  ),
  P(
    '5G_PORT',
    'A3_2',
    '5G industrielle et portuaire',
    'HAROPA Port',
    7_800_000,
    'ongoing',
    [0.205, 49.463],
    ['Orange'],
  ),
  P(
    'OPENDATA',
    'A2_1',
    'Open data territorial',
    'Le Havre Seine Métropole',
    900_000,
    'completed',
    [0.108, 49.494],
  ),
  P(
    'SENSORS',
    'A3_2',
    'Capteurs intelligents en zone industrielle',
    'Synerzip LH',
    1_600_000,
    'ongoing',
    [0.245, 49.471],
    ['Cisco'],
  ),
  P(
    'CITE_NUM',
    'A1_2',
    'Cité Numérique',
    'Le Havre Seine Métropole',
    12_000_000,
    'completed',
    [0.125, 49.49],
    ['French Tech Le Havre', 'EM Normandie'],
  ),
  P(
    'ECOLE42',
    'A1_1',
    '42 Le Havre – école de code',
    'Le Havre Seine Métropole',
    2_500_000,
    'ongoing',
    [0.1255, 49.4905],
  ),
  P(
    'PORT_CENTER',
    'A1_1',
    'Port Center : sensibilisation aux métiers portuaires',
    'Port Center',
    1_200_000,
    'ongoing',
    [0.1, 49.483],
  ),
  P(
    'UPSKILL',
    'A1_1',
    'Reconversion vers les métiers industriels',
    'Université Le Havre Normandie',
    3_400_000,
    'ongoing',
    [0.115, 49.495],
    ['Région Normandie'],
  ),
  P(
    'CAMPUS_MER',
    'A1_1',
    'Campus des métiers de la mer',
    'Université Le Havre Normandie',
    5_000_000,
    'planned',
    [0.118, 49.497],
  ),
  P(
    'CRUISE',
    'A1_2',
    'Services numériques aux croisiéristes',
    'HAROPA Port',
    2_200_000,
    'ongoing',
    [0.099, 49.482],
    ['CCI Seine Estuaire'],
  ),
  P('TOWT', 'A2_2', 'Fret à la voile (TOWT)', 'TOWT', 8_000_000, 'ongoing', [0.111, 49.481]),
  P(
    'RAIL_FLUX',
    'A2_2',
    'Optimisation des flux ferroviaires et fluviaux',
    'HAROPA Port',
    10_500_000,
    'planned',
    [0.21, 49.458],
  ),
  P(
    'TRUCK_GATES',
    'A2_2',
    'Portes camions intelligentes des terminaux',
    'Terminal Porte Océane',
    3_800_000,
    'ongoing',
    [0.172, 49.465],
    ['Generalis Terminal de France', 'Terminal de Normandie MSC'],
  ),
  P(
    'CPS_NEXT',
    'A2_1',
    'Nouvelle génération du Cargo Community System',
    'Soget',
    6_000_000,
    'ongoing',
    [0.114, 49.491],
  ),
  P(
    'BLOCKCHAIN',
    'A2_1',
    'Blockchain pour les documents de transport',
    'Soget',
    1_900_000,
    'planned',
    [0.114, 49.4915],
  ),
  P(
    'H2_VALLEY',
    'A3_1',
    'Hydrogène vert pour la zone industrielle',
    'Synerzip LH',
    35_000_000,
    'ongoing',
    [0.26, 49.466],
    ['Région Normandie'],
  ),
  P(
    'WASTE_ENERGY',
    'A3_1',
    'Valorisation énergétique des déchets industriels',
    'Synerzip LH',
    18_000_000,
    'ongoing',
    [0.235, 49.468],
  ),
  P(
    'HEAT_NET',
    'A3_1',
    'Réseau de chaleur fatale industrielle',
    'Le Havre Seine Métropole',
    22_000_000,
    'delayed',
    [0.19, 49.475],
  ),
  P(
    'SHORE_POWER',
    'A3_1',
    'Branchement électrique des navires à quai',
    'HAROPA Port',
    14_000_000,
    'ongoing',
    [0.097, 49.481],
  ),
  P(
    'CIRC_PLASTICS',
    'A3_1',
    'Recyclage des plastiques de la zone portuaire',
    'Synerzip LH',
    9_500_000,
    'planned',
    [0.25, 49.462],
  ),
  P(
    'WASTE_SMART',
    'A3_1',
    'Collecte des déchets urbains pilotée par capteurs',
    'Le Havre Seine Métropole',
    1_300_000,
    'ongoing',
    [0.12, 49.5],
  ),
  P(
    'OBS_PLATFORM',
    'ICC1',
    "Plateforme de l'Observatoire",
    'AURH',
    400_000,
    'ongoing',
    [0.109, 49.492],
    ['Le Havre Seine Métropole', 'Caisse des Dépôts'],
  ),
  P('CARBOLOCAL', 'ICC2', 'CarboLocal', 'Ville du Havre', 60_000, 'ongoing', [0.107, 49.4945]),
  P(
    'GRAVESTONES',
    'ICC2',
    'Recyclage des pierres tombales',
    'Ville du Havre',
    40_000,
    'ongoing',
    [0.13, 49.51],
  ),
  P(
    'MERCHANTS',
    'ICC2',
    'Vente en ligne des commerçants de proximité',
    'Le Havre Seine Métropole',
    50_000,
    'completed',
    [0.11, 49.493],
  ),
  P(
    'PROC_BENCH',
    'ICC3',
    'Benchmark de l’achat public innovant',
    'Le Havre Seine Métropole',
    30_000,
    'completed',
    [0.1085, 49.4935],
    ['IDATE'],
  ),
  P(
    'COMM_SMARTPORT',
    'ICC4',
    'Communauté Smart Port',
    'HAROPA Port',
    80_000,
    'ongoing',
    [0.106, 49.485],
    ['French Tech Le Havre'],
  ),
  P(
    'COMM_INDUSTRY',
    'ICC4',
    'Communauté Innovations et Industries',
    'Synerzip LH',
    60_000,
    'ongoing',
    [0.24, 49.47],
  ),
  P(
    'COMM_BUILDING',
    'ICC4',
    'Smart Building Normandie',
    'Le Havre Seine Métropole',
    50_000,
    'ongoing',
    [0.112, 49.497],
  ),
];

type IndicatorSeed = IndicatorCreate & { action?: string };

const yearly = (pairs: [number, number][]) => pairs.map(([y, v]) => ({ period: String(y), value: v }));

export const LE_HAVRE_INDICATORS: IndicatorSeed[] = [
  // ICC action 1: the Observatory
  {
    code: 'OBS_IND_CHOSEN',
    action: 'ICC1',
    nameFr: 'Indicateurs retenus',
    nameEn: 'Indicators chosen',
    level: 'input',
    valueType: 'number',
    unit: 'indicators',
    aggregation: 'sum',
    periodAggregation: 'last',
    definitionEn: 'Indicators the projects agreed to report in the period.',
    definitionFr: 'Indicateurs que les projets se sont engagés à renseigner sur la période.',
  },
  {
    code: 'OBS_IND_DONE',
    action: 'ICC1',
    nameFr: 'Indicateurs renseignés',
    nameEn: 'Indicators completed',
    level: 'output',
    valueType: 'number',
    unit: 'indicators',
    aggregation: 'sum',
    periodAggregation: 'last',
  },
  {
    code: 'OBS_COMPLETION',
    action: 'ICC1',
    nameFr: 'Taux de renseignement des indicateurs',
    nameEn: 'Indicator completion rate',
    level: 'outcome',
    valueType: 'percentage',
    unit: '%',
    source: { kind: 'formula', expression: 'OBS_IND_DONE / OBS_IND_CHOSEN * 100' },
    targets: yearly([
      [2025, 80],
      [2026, 90],
    ]),
    key: true,
    definitionEn:
      'Number of indicators completed compared to the number of indicators chosen (ICC deliverable).',
  },
  {
    code: 'OBS_PROJECTS_MONITORED',
    action: 'ICC1',
    nameFr: 'Projets suivis par l’Observatoire',
    nameEn: 'Projects monitored by the Observatory',
    level: 'output',
    valueType: 'number',
    unit: 'projects',
    baseline: { period: '2021', value: 10 },
    targets: yearly([
      [2025, 20],
      [2026, 25],
    ]),
    key: true,
  },
  {
    code: 'OBS_WORKING_GROUPS',
    action: 'ICC1',
    nameFr: 'Groupes de travail avec les acteurs locaux',
    nameEn: 'Working groups with local stakeholders',
    level: 'input',
    valueType: 'number',
    unit: 'groups',
  },
  {
    code: 'OBS_SURVEY_DONE',
    action: 'ICC1',
    nameFr: 'Enquête en ligne réalisée',
    nameEn: 'Online survey completed',
    level: 'output',
    valueType: 'boolean',
    aggregation: 'max',
  },
  // ICC action 2: intrapreneurship
  {
    code: 'INTRA_CALLS',
    action: 'ICC2',
    nameFr: 'Appels à projets intrapreneuriaux',
    nameEn: 'Intrapreneurship calls for projects',
    level: 'input',
    valueType: 'number',
    unit: 'calls',
    targets: yearly([[2022, 2]]),
  },
  {
    code: 'INTRA_SELECTED',
    action: 'ICC2',
    nameFr: 'Projets retenus par le jury',
    nameEn: 'Projects selected by the jury',
    level: 'output',
    valueType: 'number',
    unit: 'projects',
    targets: yearly([[2022, 6]]),
  },
  {
    code: 'INTRA_STARTED',
    action: 'ICC2',
    nameFr: 'Projets intrapreneuriaux lancés',
    nameEn: 'Intrapreneurial projects under way',
    level: 'outcome',
    valueType: 'number',
    unit: 'projects',
    key: true,
  },
  // ICC action 3: innovative procurement
  {
    code: 'PROC_BENCHMARKS',
    action: 'ICC3',
    nameFr: 'Benchmarks réalisés',
    nameEn: 'Benchmarks completed',
    level: 'output',
    valueType: 'number',
    unit: 'benchmarks',
  },
  {
    code: 'PROC_PRACTICES',
    action: 'ICC3',
    nameFr: 'Bonnes pratiques identifiées',
    nameEn: 'Best practices identified in other cities',
    level: 'output',
    valueType: 'number',
    unit: 'practices',
  },
  {
    code: 'PROC_CALLS',
    action: 'ICC3',
    nameFr: 'Procédures d’achat innovant lancées',
    nameEn: 'Innovative procurement procedures launched',
    level: 'outcome',
    valueType: 'number',
    unit: 'procedures',
    key: true,
  },
  // ICC action 4: communities of practice and challenges
  {
    code: 'COMM_LAUNCHED',
    action: 'ICC4',
    nameFr: 'Communautés de pratique lancées',
    nameEn: 'Communities of practice launched',
    level: 'output',
    valueType: 'number',
    unit: 'communities',
    targets: yearly([
      [2021, 3],
      [2022, 5],
    ]),
    key: true,
  },
  {
    code: 'COMM_CHALLENGES',
    action: 'ICC4',
    nameFr: 'Défis d’innovation lancés',
    nameEn: 'Innovation challenges launched',
    level: 'output',
    valueType: 'number',
    unit: 'challenges',
  },
  {
    code: 'COMM_SOLUTIONS',
    action: 'ICC4',
    nameFr: 'Solutions communes issues des communautés',
    nameEn: 'Common solutions emerging from the communities',
    level: 'impact',
    valueType: 'number',
    unit: 'solutions',
  },
  // Programme-wide
  {
    code: 'JOBS_CREATED',
    nameFr: 'Emplois créés',
    nameEn: 'Jobs created',
    level: 'impact',
    valueType: 'number',
    unit: 'FTE',
    disaggregations: [
      { code: 'gender', nameFr: 'Genre', nameEn: 'Gender', categories: ['female', 'male', 'other'] },
    ],
    key: true,
  },
  {
    code: 'PEOPLE_TRAINED',
    nameFr: 'Personnes formées aux métiers portuaires et industriels',
    nameEn: 'People trained for port and industrial trades',
    level: 'outcome',
    valueType: 'number',
    unit: 'people',
    disaggregations: [
      { code: 'gender', nameFr: 'Genre', nameEn: 'Gender', categories: ['female', 'male', 'other'] },
    ],
  },
  {
    code: 'PRIVATE_INVEST',
    nameFr: 'Investissement privé mobilisé',
    nameEn: 'Private investment leveraged',
    level: 'input',
    valueType: 'number',
    unit: 'EUR',
  },
  {
    code: 'CO2_AVOIDED',
    nameFr: 'Émissions de CO2 évitées',
    nameEn: 'CO2 emissions avoided',
    level: 'impact',
    valueType: 'number',
    unit: 't CO2e',
    key: true,
  },
  {
    code: 'PUBLIC_FUNDS_SHARE',
    nameFr: 'Part des dépenses cofinancées',
    nameEn: 'Share of co-financed spending',
    level: 'input',
    valueType: 'ratio',
    unit: 'ratio',
    aggregation: 'sum',
  },
  {
    code: 'TRUCK_WAIT_AVG',
    nameFr: "Temps d'attente moyen des camions aux terminaux",
    nameEn: 'Average truck waiting time at the terminals',
    level: 'outcome',
    valueType: 'number',
    unit: 'min',
    periodicity: 'monthly',
    direction: 'decrease',
    aggregation: 'avg',
    periodAggregation: 'avg',
    source: {
      kind: 'datahub',
      method: 'avg',
      type: 'TruckGateStatistics',
      attribute: 'averageWaitingTime',
      temporal: true,
    },
    definitionEn:
      'Mean of the hourly average waiting times of the TruckGateStatistics entities observed in the period (data hub).',
  },
];

/**
 * ICC KPIs the innovation hub counts itself (communities, members, attendance, challenges launched,
 * applications, solutions selected): indicators computed from the hub's figures (`{kind: 'figure'}`).
 */
const figure = (
  code: string,
  name: string,
  nameFr: string,
  unit: string,
  level: IndicatorCreate['level'],
  action: string,
  periodAggregation: IndicatorCreate['periodAggregation'] = 'sum',
): IndicatorSeed => ({
  code,
  action,
  nameFr,
  nameEn: name,
  level,
  valueType: 'number',
  unit,
  periodAggregation,
  source: { kind: 'figure', figure: `innovation.${code.slice(4).toLowerCase()}` },
  definitionEn: `${name}, counted by the innovation hub (stocks at the end of the period, flows within it).`,
  definitionFr: `${nameFr}, compté par le hub d'innovation (stocks en fin de période, flux sur la période).`,
});

export const HUB_FIGURE_INDICATORS: IndicatorSeed[] = [
  figure(
    'HUB_COMMUNITIES',
    'Communities of practice on the hub',
    'Communautés de pratique sur le hub',
    'communities',
    'output',
    'ICC4',
    'last',
  ),
  figure(
    'HUB_MEMBERS',
    'Active members of the communities',
    'Membres actifs des communautés',
    'members',
    'outcome',
    'ICC4',
    'last',
  ),
  figure(
    'HUB_ATTENDANCE',
    'Attendance at community and programme events',
    'Participations aux événements',
    'participants',
    'output',
    'ICC4',
  ),
  figure(
    'HUB_CALLS',
    'Calls for projects and challenges launched',
    'Appels à projets et défis lancés',
    'calls',
    'output',
    'ICC4',
  ),
  figure(
    'HUB_APPLICATIONS',
    'Applications submitted to the calls',
    'Candidatures déposées',
    'applications',
    'output',
    'ICC4',
  ),
  figure(
    'HUB_SELECTED',
    'Solutions selected by the juries',
    'Solutions retenues par les jurys',
    'solutions',
    'outcome',
    'ICC4',
  ),
];

/**
 * Urban waste, the second use case of the Smart Data Services (src/waste): what the planned collection rounds
 * achieve, computed from the waste service's figures.
 */
const wasteFigure = (
  figureName: string,
  code: string,
  name: string,
  nameFr: string,
  unit: string,
  direction: 'increase' | 'decrease',
  periodAggregation: IndicatorCreate['periodAggregation'] = 'sum',
): IndicatorSeed => ({
  code,
  action: 'A2_1',
  nameFr,
  nameEn: name,
  level: 'outcome',
  valueType: 'number',
  unit,
  direction,
  periodAggregation,
  source: { kind: 'figure', figure: figureName },
  definitionEn: `${name}, computed by the waste service from its collection plans and sensor readings.`,
  definitionFr: `${nameFr}, calculé par le service déchets à partir des tournées planifiées et des mesures des capteurs.`,
});

export const WASTE_FIGURE_INDICATORS: IndicatorSeed[] = [
  wasteFigure(
    'waste.tonnes',
    'WASTE_TONNES',
    'Waste collected by planned rounds',
    'Déchets collectés par les tournées planifiées',
    't',
    'increase',
  ),
  wasteFigure(
    'waste.kmPerTonne',
    'WASTE_KM_PER_TONNE',
    'Kilometres driven per tonne collected',
    'Kilomètres parcourus par tonne collectée',
    'km/t',
    'decrease',
    'avg',
  ),
  wasteFigure(
    'waste.overflows',
    'WASTE_OVERFLOWS',
    'Container overflows (container-days at 100 %)',
    'Débordements de conteneurs (conteneurs-jours à 100 %)',
    'container-days',
    'decrease',
  ),
];

/** The indicators computed from other capabilities' figures. */
const FIGURE_INDICATORS = [...HUB_FIGURE_INDICATORS, ...WASTE_FIGURE_INDICATORS];

/** Adds the indicators of `list` whose code the programme does not have yet. */
async function ensureIndicators(tx: Queryable, programmeId: string, list: IndicatorSeed[]): Promise<number> {
  let n = 0;
  for (const i of list) {
    const { action, ...rest } = i;
    const has = await tx.query('SELECT 1 FROM obs_indicators WHERE programme_id = $1 AND code = $2', [
      programmeId,
      i.code,
    ]);
    if (has.rows.length) continue;
    const a = action
      ? (
          await tx.query<{ id: string }>('SELECT id FROM obs_actions WHERE programme_id = $1 AND code = $2', [
            programmeId,
            action,
          ])
        ).rows[0]?.id
      : undefined;
    await insertRow(tx, KINDS.indicator, { ...rest, actionId: a, programmeId }, ACTOR);
    n++;
  }
  return n;
}

export interface ObservatorySeed {
  skipped: boolean;
  projects: number;
  indicators: number;
}

/** Loads the Le Havre programme once (skipped when its code exists). */
export async function seedObservatoryDemo(db: Db): Promise<ObservatorySeed> {
  const exists = await db.query<{ id: string }>('SELECT id FROM obs_programmes WHERE code = $1', ['LHSPC']);
  if (exists.rows.length) {
    // Programmes seeded before the hub's and the waste service's figures existed get those indicators.
    const added = await db.transaction((tx) => ensureIndicators(tx, exists.rows[0].id, FIGURE_INDICATORS));
    return { skipped: true, projects: 0, indicators: added };
  }
  return db.transaction(async (tx) => {
    const prog = await insertRow(
      tx,
      KINDS.programme,
      {
        code: 'LHSPC',
        nameFr: 'Le Havre Smart Port City',
        nameEn: 'Le Havre Smart Port City',
        description:
          "Programme d'investissement territorial de 241 M€ sur 10 ans (PIA3 « Territoires d'innovation »), 80+ partenaires publics et privés, autour de trois thèmes.",
        startYear: 2019,
        endYear: 2029,
        budget: 241_000_000,
        deviationThreshold: 0.25,
      },
      ACTOR,
    );
    const actions = new Map<string, Row>();
    let position = 0;
    for (const t of TOPICS) {
      const { actions: list, ...topic } = t;
      const row = await insertRow(
        tx,
        KINDS.topic,
        { ...topic, position: position++, programmeId: prog.id },
        ACTOR,
      );
      for (const a of list) {
        actions.set(
          a.code,
          await insertRow(tx, KINDS.action, { ...a, topicId: row.id, programmeId: prog.id }, ACTOR),
        );
      }
    }
    for (const p of LE_HAVRE_PROJECTS) {
      const { at, action, ...rest } = p;
      const a = actions.get(action) as Row;
      await insertRow(
        tx,
        KINDS.project,
        { ...rest, lon: at[0], lat: at[1], actionId: a.id, programmeId: prog.id },
        ACTOR,
      );
    }
    for (const i of LE_HAVRE_INDICATORS) {
      const { action, ...rest } = i;
      await insertRow(
        tx,
        KINDS.indicator,
        { ...rest, actionId: action ? actions.get(action)?.id : undefined, programmeId: prog.id },
        ACTOR,
      );
    }
    await ensureIndicators(tx, String(prog.id), FIGURE_INDICATORS);
    await tx.query(
      `INSERT INTO obs_rules (id, programme_id, left_expr, operator, right_expr, message)
       VALUES (gen_random_uuid(), $1, 'OBS_IND_DONE', '<=', 'OBS_IND_CHOSEN', 'more indicators completed than chosen'),
              (gen_random_uuid(), $1, 'INTRA_STARTED', '<=', 'INTRA_SELECTED', 'more projects started than selected')`,
      [prog.id],
    );
    // The figures the ICC deliverable reports (end of phase 3, 2022), as approved programme-level values.
    const inds = new Map<string, Indicator>();
    for (const r of (await tx.query<Row>('SELECT * FROM obs_indicators WHERE programme_id = $1', [prog.id]))
      .rows) {
      const i = fromRow(KINDS.indicator, r) as unknown as Indicator;
      inds.set(i.code, i);
    }
    const reported: [string, number | boolean][] = [
      ['OBS_PROJECTS_MONITORED', 15],
      ['OBS_WORKING_GROUPS', 3],
      ['OBS_SURVEY_DONE', true],
      ['INTRA_CALLS', 2],
      ['INTRA_SELECTED', 6],
      ['INTRA_STARTED', 3],
      ['PROC_BENCHMARKS', 1],
      ['PROC_PRACTICES', 3],
      ['COMM_LAUNCHED', 3],
      ['COMM_CHALLENGES', 1],
      ['COMM_SOLUTIONS', 0],
    ];
    await saveValues(tx, {
      indicators: new Map([...inds.values()].map((i) => [i.id, i])),
      projectId: null,
      period: '2022',
      campaignId: null,
      inputs: reported.map(([code, value]) => ({ indicatorId: (inds.get(code) as Indicator).id, value })),
      actor: 'seed:icc-deliverable',
      status: 'approved',
      source: 'seed',
    });
    return {
      skipped: false,
      projects: LE_HAVRE_PROJECTS.length,
      indicators: LE_HAVRE_INDICATORS.length + FIGURE_INDICATORS.length,
    };
  });
}

/** The organisations that run the Observatory in the demo: the metropolis and its urban planning agency. */
export const DEMO_STAFF_SLUGS = ['le-havre-seine-metropole', 'aurh'];

/** Registers the demo's staff organisations (looked up by slug through governance); idempotent. */
export async function seedObservatoryStaff(
  db: Db,
  orgBySlug: (slug: string) => Promise<{ id: string } | undefined>,
): Promise<number> {
  let n = 0;
  for (const slug of DEMO_STAFF_SLUGS) {
    const org = await orgBySlug(slug);
    if (!org) continue;
    await db.query('INSERT INTO obs_staff_organisations (org_id) VALUES ($1) ON CONFLICT DO NOTHING', [
      org.id,
    ]);
    n++;
  }
  return n;
}
