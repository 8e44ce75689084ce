/** Client routes; the server answers index.html for any non-API path (src/web/plugin.ts). */
export const ROUTES = {
  home: '/',
  map: '/map',
  // /catalog itself is the DCAT-AP export of the catalog (src/catalog/), for harvesters.
  catalog: '/datasets',
  observatory: '/observatory',
  observatoryStaff: '/observatory/staff',
  // The project leads' personal link (the e-mail of src/observatory/campaigns.ts): /observatory/answer?token=...
  observatoryAnswer: '/observatory/answer',
  innovation: '/innovation',
  admin: '/admin',
  signIn: '/signin',
} as const;

export type RouteKey = keyof typeof ROUTES;

/** The navigation, in order; each key is also the page's label key under `nav.`. */
export const NAV = [
  'home',
  'map',
  'catalog',
  'observatory',
  'innovation',
] as const satisfies readonly RouteKey[];
