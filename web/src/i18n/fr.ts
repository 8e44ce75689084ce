import * as admin from './areas/admin';
import * as auth from './areas/auth';
import * as catalog from './areas/catalog';
import * as innovation from './areas/innovation';
import * as observatory from './areas/observatory';
import type { Shape } from './shape';

/** French, the default language. en.ts must have exactly the same keys (checked by its type). */
export const fr = {
  app: {
    name: 'Escale',
    tagline: 'Le Havre Smart Port City',
    skipToContent: 'Aller au contenu',
    mainNav: 'Navigation principale',
    openMenu: 'Ouvrir le menu',
    closeMenu: 'Fermer le menu',
    menu: 'Menu',
    language: 'Langue',
    loading: 'Chargement…',
    footer: {
      licence: 'Escale est un logiciel libre sous licence EUPL-1.2.',
      apiDocs: 'Documentation de l’API',
      api: 'API NGSI-LD',
    },
  },
  nav: {
    home: 'Accueil',
    map: 'Carte du port',
    catalog: 'Catalogue de données',
    observatory: 'Observatoire',
    innovation: 'Hub d’innovation',
  },
  home: {
    title: 'Escale, la plateforme ouverte de Le Havre Smart Port City',
    intro:
      'Le Havre Smart Port City réunit Le Havre Seine Métropole, HAROPA Port et les entreprises du territoire autour d’un programme d’innovation pour la ville portuaire. Escale en est la plateforme numérique, en logiciel libre : un hub de données NGSI-LD, un espace de partage de données, un observatoire et un hub d’innovation.',
    atAGlance: 'Le programme en bref',
    partners: 'partenaires publics et privés',
    budget: 'sur 10 ans',
    topicsCount: 'axes de travail',
    topicsTitle: 'Trois axes',
    topics: {
      territory: {
        title: 'Développement et attractivité du territoire',
        text: 'Aménager la ville-port et la rendre plus attractive pour ses habitants, ses entreprises et ses visiteurs.',
      },
      port: {
        title: 'Compétitivité portuaire',
        text: 'Fluidifier le passage des navires et des marchandises grâce à des données partagées.',
      },
      transitions: {
        title: 'Transitions numérique et environnementale de l’industrie',
        text: 'Accompagner l’industrie de la zone portuaire vers le numérique et la réduction de ses émissions.',
      },
    },
    liveTitle: 'Le hub de données en direct',
    liveIntro: 'Ces chiffres sont lus à l’instant dans l’API NGSI-LD d’Escale.',
    terminals: 'terminaux',
    berths: 'postes à quai',
    vessels: 'navires connus du hub',
    types: 'types d’entités',
    typesList: 'Types d’entités dans le hub : {{list}}',
    typesNone: 'Le hub ne contient encore aucune entité.',
    error: 'Les chiffres en direct n’ont pas pu être lus ({{message}}).',
    retry: 'Réessayer',
    openMap: 'Voir la carte du port',
    apiDocs: 'Explorer l’API',
  },
  soon: {
    badge: 'Bientôt',
    catalog:
      'Ici viendra le catalogue des jeux de données que les partenaires partagent (DCAT-AP), avec leurs conditions d’usage (ODRL), les demandes d’accès, les accords et le suivi des usages.',
    observatory:
      'Ici viendront les indicateurs du programme, les campagnes de collecte et un tableau de bord public ; chaque graphique y aura son tableau de données.',
    innovation:
      'Ici viendront l’annuaire des partenaires, les communautés de pratique, les événements, les défis et les appels à projets avec leur jury.',
    back: 'Retour à l’accueil',
  },
  notFound: {
    title: 'Page introuvable',
    text: 'Cette adresse ne correspond à aucune page d’Escale.',
  },
  map: {
    title: 'Carte du port en direct',
    intro:
      'Terminaux, postes à quai et navires du port du Havre, lus dans le hub de données NGSI-LD. La liste qui accompagne la carte présente les mêmes éléments.',
    mapLabel: 'Carte du port du Havre',
    legend: 'Légende',
    noBaseMap: 'Aucun fond de carte n’est disponible : les données s’affichent sur un fond uni.',
    noWebgl:
      'La carte ne peut pas s’afficher dans ce navigateur (WebGL indisponible). La liste présente les mêmes éléments.',
    listTitle: 'Liste des éléments de la carte',
    caption: 'Terminaux, postes à quai et navires ({{count}} éléments)',
    filter: 'Afficher',
    columns: { name: 'Nom', type: 'Type', info: 'Information' },
    show: 'Afficher les détails de {{name}}',
    vessels_one: '{{count}} navire dans la zone du port.',
    vessels_other: '{{count}} navires dans la zone du port.',
    noVessels: 'Aucun navire connu du hub dans la zone du port : ils arrivent avec le connecteur AIS.',
    updatedAt: 'Navires mis à jour à {{time}}, toutes les 10 secondes.',
    error: 'Les données de la carte n’ont pas pu être lues ({{message}}).',
    details: 'Détails',
    closeDetails: 'Fermer les détails',
    noAttributes: 'Aucun autre attribut.',
    zoomIn: 'Zoom avant',
    zoomOut: 'Zoom arrière',
    resetBearing: 'Réorienter vers le nord',
  },
  types: {
    Terminal: 'Terminal',
    Berth: 'Poste à quai',
    Vessel: 'Navire',
  },
  terminalType: {
    container: 'conteneurs',
    cruise: 'croisière',
    roro: 'roulier',
  },
  berthStatus: {
    free: 'libre',
    occupied: 'occupé',
    reserved: 'réservé',
  },
  attrs: {
    id: 'Identifiant',
    type: 'Type',
    name: 'Nom',
    terminalType: 'Type de terminal',
    operator: 'Exploitant',
    berthCode: 'Code du poste',
    status: 'État',
    refPort: 'Port',
    refTerminal: 'Terminal',
    scope: 'Périmètre',
    mmsi: 'MMSI',
    imo: 'Numéro OMI',
    callSign: 'Indicatif d’appel',
    vesselType: 'Type de navire (code AIS)',
    vesselSubType: 'Sous-type de navire (code AIS)',
    vesselTypeName: 'Type de navire',
    length: 'Longueur',
    beam: 'Largeur',
    draught: 'Tirant d’eau',
    aisClass: 'Classe AIS',
    destination: 'Destination',
    estimatedTimeOfArrival: 'Arrivée prévue',
    speedOverGround: 'Vitesse fond',
    courseOverGround: 'Route fond',
    heading: 'Cap vrai',
    navigationStatus: 'Statut de navigation (code AIS)',
    navigationalStatus: 'Statut de navigation',
    positionAccuracy: 'Précision de la position',
    dataProvider: 'Source des données',
  },
  // Each area of the application keeps its messages in areas/<area>.ts (French and English side by side).
  auth: auth.fr,
  admin: admin.fr,
  catalog: catalog.fr,
  observatory: observatory.fr,
  innovation: innovation.fr,
};

export type Messages = Shape<typeof fr>;
