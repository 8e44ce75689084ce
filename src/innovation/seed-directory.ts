import type { Db } from '../db/db.js';
import { createPartner, createPractice, type PartnerInput, type PracticeInput } from './directory.js';

/**
 * The partners named in the programme's documents (PIA3 application, press, ICC final deliverable) and the
 * knowledge base the ICC innovative procurement benchmark and the programme's own experience give. Only what
 * those documents say; no contact is invented (public contacts are left for the partners to fill in).
 */

const LHSPC = 'Le Havre Smart Port City';

export const LE_HAVRE_PARTNERS: PartnerInput[] = [
  {
    slug: 'le-havre-seine-metropole',
    name: 'Le Havre Seine Métropole',
    sector: 'public-authority',
    roles: ['programme-lead', 'icc-consortium'],
    city: 'Le Havre',
    website: 'https://www.lehavreseinemetropole.fr',
    description:
      "Lead of Le Havre Smart Port City (PIA3 « Territoires d'innovation », 241 M€ over ten years, 80+ partners); coordinates the programme, its Observatory (with AURH) and the Intelligent Cities Challenge actions.",
    projects: [
      LHSPC,
      'Smart Data Services',
      'Rêver – Réinventer la Seine',
      'Innovation and Smart Port City Observatory',
    ],
  },
  {
    slug: 'haropa-port',
    name: 'HAROPA Port',
    sector: 'port-logistics',
    size: 'large',
    roles: ['founding-partner', 'icc-consortium', 'project-partner'],
    city: 'Le Havre',
    website: 'https://www.haropaport.com',
    description:
      'The port of Le Havre, Rouen and Paris; founding partner of the programme and of the ICC consortium, with a team dedicated to innovation and the port ecosystem.',
    projects: ['Smart Data Services', 'MobiSmart Port', '5G industrielle et portuaire'],
  },
  {
    slug: 'universite-le-havre-normandie',
    name: 'Université Le Havre Normandie',
    sector: 'research-education',
    size: 'large',
    roles: ['founding-partner', 'project-partner'],
    city: 'Le Havre',
    website: 'https://www.univ-lehavre.fr',
    description: 'Founding partner of the programme: skills for port and industrial trades, research.',
  },
  {
    slug: 'synerzip-lh',
    name: 'Synerzip LH',
    sector: 'industry',
    roles: ['founding-partner', 'project-partner'],
    city: 'Le Havre',
    description:
      'Association of the industrial companies of the Le Havre industrial and port zone; founding partner, leads energy and circular economy demonstrators.',
  },
  {
    slug: 'cci-seine-estuaire',
    name: 'CCI Seine Estuaire',
    sector: 'business-support',
    roles: ['founding-partner'],
    city: 'Le Havre',
    description: 'Chamber of commerce and industry of the Seine estuary; founding partner of the programme.',
  },
  {
    slug: 'region-normandie',
    name: 'Région Normandie',
    sector: 'public-authority',
    roles: ['founding-partner', 'funder'],
    city: 'Caen',
    website: 'https://www.normandie.fr',
    description: 'The Normandy Region, among the major partners of the programme.',
  },
  {
    slug: 'aurh',
    name: 'AURH',
    sector: 'urban-planning',
    size: 'small',
    roles: ['project-partner'],
    city: 'Le Havre',
    website: 'https://www.aurh.fr',
    description:
      'The urban planning agency of the Le Havre region and the Seine estuary: project manager of the Innovation and Smart Port City Observatory, which it co-funds.',
    projects: ['Innovation and Smart Port City Observatory'],
  },
  {
    slug: 'french-tech-le-havre',
    name: 'French Tech Le Havre Normandie – Cité Numérique',
    sector: 'innovation-support',
    size: 'micro',
    roles: ['icc-consortium', 'innovation-hub'],
    city: 'Le Havre',
    description:
      'The Cité Numérique (opened November 2020): incubator, coworking space and fablab of the French Tech ecosystem; co-led the intrapreneurship programme, the communities of practice and the Transat Jacques Vabre challenge.',
  },
  {
    slug: 'orange',
    name: 'Orange',
    sector: 'digital',
    size: 'large',
    roles: ['project-partner'],
    website: 'https://www.orange.com',
    description: 'Telecom operator; partner of Smart Data Services and of the ICC kick-off.',
    projects: ['Smart Data Services'],
  },
  {
    slug: 'cisco',
    name: 'Cisco',
    sector: 'digital',
    size: 'large',
    roles: ['project-partner'],
    website: 'https://www.cisco.com',
    description: 'Network equipment maker; one of the five partners of the Smart Data Services platform.',
    projects: ['Smart Data Services'],
  },
  {
    slug: 'soget',
    name: 'Soget',
    sector: 'digital',
    size: 'medium',
    roles: ['project-partner'],
    city: 'Le Havre',
    website: 'https://www.soget.fr',
    description: 'Port community system operator; partner of Smart Data Services and MobiSmart Port.',
    projects: ['Smart Data Services', 'MobiSmart Port'],
  },
  {
    slug: 'banque-des-territoires',
    name: 'Banque des Territoires (Caisse des Dépôts)',
    sector: 'finance',
    size: 'large',
    roles: ['funder'],
    website: 'https://www.banquedesterritoires.fr',
    description:
      "Operates the State's PIA3 « Territoires d'innovation » funding (5.4 M€ of grants and 24.4 M€ of potential equity investment for the programme); funds the Observatory.",
  },
  {
    slug: 'ville-du-havre',
    name: 'Ville du Havre',
    sector: 'public-authority',
    roles: ['project-partner'],
    city: 'Le Havre',
    website: 'https://www.lehavre.fr',
    description: 'The City of Le Havre: three of the six intrapreneurship projects presented to the jury.',
    projects: ['CarboLocal'],
  },
  {
    slug: 'idate',
    name: 'IDATE DigiWorld',
    sector: 'consulting',
    roles: ['expert'],
    description: 'Supported the innovative public procurement benchmark of the ICC action 3.',
  },
  {
    slug: 'beta-gouv',
    name: 'beta.gouv.fr',
    sector: 'public-authority',
    roles: ['expert'],
    website: 'https://beta.gouv.fr',
    description: "The State's intrapreneurship scheme that supported Le Havre's intrapreneurship programme.",
  },
];

const PROCUREMENT = ['procurement', 'icc'];

/** `communities` are community slugs, resolved when seeding. */
export const LE_HAVRE_PRACTICES: (PracticeInput & { communities?: string[] })[] = [
  {
    slug: 'icc-innovative-procurement-benchmark',
    kind: 'benchmark',
    title: 'Benchmark on sustainable innovative public procurement (ICC action 3)',
    city: 'Le Havre',
    country: 'France',
    year: 2021,
    tags: [...PROCUREMENT, 'benchmark'],
    summaryEn:
      'National and European benchmark with interviews of peers (June 2021), a note on the tools used in France to drive innovative public procurement with recommendations for Le Havre Seine Métropole (October 2021). Three best practices identified in other cities (Bordeaux, Toulouse, Eurométropole de Metz); presented several times within the metropolis. Lesson: it has not yet led to internal changes or new calls; wider dissemination needed.',
    summaryFr:
      "Benchmark national et européen avec entretiens de pairs (juin 2021), note sur les outils de l'achat public innovant en France et recommandations pour Le Havre Seine Métropole (octobre 2021). Trois bonnes pratiques identifiées (Bordeaux, Toulouse, Eurométropole de Metz) ; présenté plusieurs fois au sein de la métropole.",
  },
  {
    slug: 'bordeaux-innovative-procurement',
    kind: 'good-practice',
    title: 'Innovative public procurement in Bordeaux',
    city: 'Bordeaux',
    country: 'France',
    year: 2021,
    tags: [...PROCUREMENT, 'good practice', 'peer city'],
    summaryEn:
      'One of the three practices retained by the ICC benchmark. Bordeaux is the French city the programme cites as having successfully implemented innovative procurement practices; dissemination seminars with it were planned to win the buy-in of the services in charge of procurement and legal affairs.',
    summaryFr:
      "L'une des trois pratiques retenues par le benchmark ICC. Bordeaux est citée comme ville ayant mis en œuvre avec succès des pratiques d'achat innovant ; des séminaires de diffusion avec elle étaient prévus pour convaincre les services achats et juridiques.",
  },
  {
    slug: 'toulouse-innovative-procurement',
    kind: 'good-practice',
    title: 'Innovative public procurement in Toulouse',
    city: 'Toulouse',
    country: 'France',
    year: 2021,
    tags: [...PROCUREMENT, 'good practice', 'peer city'],
    summaryEn:
      'One of the three practices in other cities retained by the ICC innovative procurement benchmark.',
    summaryFr:
      "L'une des trois pratiques d'autres villes retenues par le benchmark ICC sur l'achat public innovant.",
  },
  {
    slug: 'metz-innovative-procurement',
    kind: 'good-practice',
    title: 'Innovative public procurement in the Eurométropole de Metz',
    city: 'Metz',
    country: 'France',
    year: 2021,
    tags: [...PROCUREMENT, 'good practice', 'peer city'],
    summaryEn:
      'One of the three practices in other cities retained by the ICC innovative procurement benchmark.',
    summaryFr:
      "L'une des trois pratiques d'autres villes retenues par le benchmark ICC sur l'achat public innovant.",
  },
  {
    slug: 'innovative-purchases-under-100k',
    kind: 'tool',
    title: 'Innovative purchases below 100 000 € without advertising or competition',
    country: 'France',
    tags: ['procurement', 'tool', 'legal'],
    summaryEn:
      'The French public procurement code lets buyers award contracts for innovative works, supplies or services below 100 000 € excluding VAT without prior advertising or competitive tendering (article R2122-9-1), a simple way to test a start-up solution.',
    summaryFr:
      "Le code de la commande publique permet de passer sans publicité ni mise en concurrence préalables les marchés innovants de moins de 100 000 € HT (article R2122-9-1) : un moyen simple d'expérimenter la solution d'une start-up.",
  },
  {
    slug: 'innovation-partnership',
    kind: 'tool',
    title: "Innovation partnership (partenariat d'innovation)",
    country: 'France',
    tags: ['procurement', 'tool', 'legal'],
    summaryEn:
      'Procedure of the EU public procurement directive (2014/24/EU, article 31) and of the French code for developing an innovative product, service or works not available on the market, then buying it without a new competition.',
    summaryFr:
      "Procédure de la directive 2014/24/UE (article 31) et du code de la commande publique pour faire développer un produit, service ou ouvrage innovant absent du marché, puis l'acquérir sans nouvelle mise en concurrence.",
  },
  {
    slug: 'antwerp-port-city-ecosystem',
    kind: 'good-practice',
    title: 'Antwerp: industrial port city ecosystem and innovative procurement',
    city: 'Antwerp',
    country: 'Belgium',
    year: 2022,
    tags: ['procurement', 'port city', 'peer city', 'icc'],
    summaryEn:
      'ICC peer city: an industrial and port city boosting its local ecosystem, which also worked on innovative public procurement; exchanges on the business models of flagship buildings (The Beacon in Antwerp, the Cité Numérique in Le Havre).',
    summaryFr:
      "Ville ICC pair : ville industrialo-portuaire qui développe son écosystème local et a travaillé sur l'achat public innovant ; échanges sur les modèles économiques des lieux totems (The Beacon, la Cité Numérique).",
    communities: ['smart-port'],
  },
  {
    slug: 'pori-innovative-procurement',
    kind: 'good-practice',
    title: 'Pori: sharing innovative procurement practice between harbour cities',
    city: 'Pori',
    country: 'Finland',
    year: 2022,
    tags: ['procurement', 'port city', 'peer city', 'icc'],
    summaryEn:
      'A small harbour city ecosystem whose dynamic works well; ongoing exchanges with Le Havre on innovative public procurement.',
    summaryFr:
      "Petit écosystème portuaire dont la dynamique fonctionne bien ; échanges avec Le Havre sur l'achat public innovant.",
    communities: ['smart-port'],
  },
  {
    slug: 'transat-jacques-vabre-challenge',
    kind: 'case-study',
    title: 'Transat Jacques Vabre blue economy challenge',
    city: 'Le Havre',
    country: 'France',
    tags: ['challenge', 'blue economy', 'open innovation'],
    summaryEn:
      'Open-innovation challenge launched by French Tech Le Havre around the Transat Jacques Vabre race (blue economy). The programme reports that this one worked well.',
    summaryFr:
      "Défi d'innovation ouverte lancé par la French Tech Le Havre autour de la Transat Jacques Vabre (économie bleue), jugé réussi par le programme.",
    communities: ['smart-port'],
  },
  {
    slug: 'le-havre-intrapreneurship-programme',
    kind: 'case-study',
    title: 'Intrapreneurship in the local administrations of Le Havre',
    city: 'Le Havre',
    country: 'France',
    year: 2021,
    tags: ['intrapreneurship', 'public sector', 'icc'],
    summaryEn:
      "With the State's national scheme (beta.gouv.fr) and French Tech Le Havre: two calls for projects, six projects selected by the jury (three from the City, three from the Metropolis), officials given a working space and one day a week for two months; three projects kicked off (CarboLocal, online sales for traditional merchants, recycling of gravestones). Lesson: participants need time set aside.",
    summaryFr:
      'Avec le dispositif national (beta.gouv.fr) et la French Tech Le Havre : deux appels à projets, six projets retenus par le jury, un jour par semaine pendant deux mois ; trois projets lancés (CarboLocal, vente en ligne des commerçants, recyclage des pierres tombales).',
  },
];

/** Adds the partners and practices whose slug is not there yet; returns how many were added. */
export async function seedDirectory(db: Db): Promise<{ partners: number; practices: number }> {
  let partners = 0;
  for (const p of LE_HAVRE_PARTNERS) {
    const has = await db.query('SELECT 1 FROM inv_partners WHERE slug = $1', [p.slug]);
    if (has.rows.length) continue;
    await createPartner(db, p);
    partners++;
  }
  let practices = 0;
  for (const { communities, ...p } of LE_HAVRE_PRACTICES) {
    const has = await db.query('SELECT 1 FROM inv_practices WHERE slug = $1', [p.slug]);
    if (has.rows.length) continue;
    const ids = await db.query<{ id: string }>(
      'SELECT id FROM inv_communities WHERE slug = ANY($1::text[])',
      [communities ?? []],
    );
    await createPractice(db, { ...p, communityIds: ids.rows.map((r) => r.id) }, 'seed:le-havre');
    practices++;
  }
  return { partners, practices };
}
