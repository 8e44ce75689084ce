/**
 * AIS destinations to UN/LOCODE. The destination of a type 5 message is 20 characters typed by the crew:
 * "LE HAVRE", "LEHAVRE", "LE_HAVRE", "FR LEH", "FRLEH>NLRTM", "HONFLUER"... This normaliser cleans the text,
 * keeps the last leg of "FROM>TO" routes, and matches it against a table of ports (names in several
 * spellings) exactly, then fuzzily (one edit for short names, two for long ones). Anything it cannot place
 * with confidence is left undefined: a wrong LOCODE is worse than none.
 */

/** Ports by UN/LOCODE with the names crews type. Names are compared without spaces or punctuation. */
const PORTS: Record<string, string[]> = {
  // Seine axis and the French coast
  FRLEH: ['LE HAVRE', 'HAVRE'],
  FRURO: ['ROUEN'],
  FRHON: ['HONFLEUR'],
  FRPJE: ['PORT JEROME'],
  FRCFR: ['CAEN'],
  FROUI: ['OUISTREHAM'],
  FRCER: ['CHERBOURG'],
  FRDPE: ['DIEPPE'],
  FRFEC: ['FECAMP'],
  FRDKK: ['DUNKERQUE', 'DUNKIRK'],
  FRCQF: ['CALAIS'],
  FRBOL: ['BOULOGNE', 'BOULOGNE SUR MER'],
  FRBES: ['BREST'],
  FRSML: ['SAINT MALO', 'ST MALO'],
  FRSNR: ['SAINT NAZAIRE', 'ST NAZAIRE'],
  FRMTX: ['MONTOIR', 'MONTOIR DE BRETAGNE'],
  FRNTE: ['NANTES'],
  FRLRH: ['LA ROCHELLE'],
  FRBOD: ['BORDEAUX'],
  FRMRS: ['MARSEILLE'],
  FRFOS: ['FOS', 'FOS SUR MER'],
  FRSET: ['SETE'],
  // Northern range and the North Sea
  BEANR: ['ANTWERP', 'ANTWERPEN', 'ANVERS'],
  BEZEE: ['ZEEBRUGGE'],
  BEGNE: ['GHENT', 'GENT'],
  BEOST: ['OOSTENDE', 'OSTEND'],
  NLRTM: ['ROTTERDAM', 'EUROPOORT', 'MAASVLAKTE'],
  NLAMS: ['AMSTERDAM'],
  NLVLI: ['VLISSINGEN', 'FLUSHING'],
  NLTNZ: ['TERNEUZEN'],
  NLIJM: ['IJMUIDEN'],
  DEHAM: ['HAMBURG'],
  DEBRV: ['BREMERHAVEN'],
  DEBRE: ['BREMEN'],
  DEWVN: ['WILHELMSHAVEN'],
  DEEME: ['EMDEN'],
  DECUX: ['CUXHAVEN'],
  // United Kingdom and Ireland
  GBSOU: ['SOUTHAMPTON'],
  GBFXT: ['FELIXSTOWE'],
  GBLGP: ['LONDON GATEWAY'],
  GBLON: ['LONDON'],
  GBTIL: ['TILBURY'],
  GBPME: ['PORTSMOUTH'],
  GBDVR: ['DOVER'],
  GBPOO: ['POOLE'],
  GBNHV: ['NEWHAVEN'],
  GBIMM: ['IMMINGHAM'],
  GBLIV: ['LIVERPOOL'],
  GBPLY: ['PLYMOUTH'],
  IEDUB: ['DUBLIN'],
  IEORK: ['CORK'],
  // Iberia, Mediterranean, further away
  ESALG: ['ALGECIRAS'],
  ESBIO: ['BILBAO'],
  ESVLC: ['VALENCIA'],
  ESBCN: ['BARCELONA'],
  PTLIS: ['LISBON', 'LISBOA'],
  PTSIE: ['SINES'],
  MAPTM: ['TANGER MED', 'TANGIER MED'],
  MACAS: ['CASABLANCA'],
  ITGOA: ['GENOA', 'GENOVA'],
  GRPIR: ['PIRAEUS'],
  SEGOT: ['GOTHENBURG', 'GOTEBORG', 'GOETEBORG'],
  PLGDN: ['GDANSK'],
  PLGDY: ['GDYNIA'],
  USNYC: ['NEW YORK'],
  CAMTR: ['MONTREAL'],
  CAHAL: ['HALIFAX'],
  SGSIN: ['SINGAPORE'],
  CNSHA: ['SHANGHAI'],
  CNNGB: ['NINGBO'],
};

/** Words that often follow or precede a port name and say nothing about it. */
const NOISE = new Set([
  'FRANCE',
  'FR',
  'PORT',
  'OF',
  'ROADS',
  'ROAD',
  'ANCHORAGE',
  'ANCH',
  'ANCHORAGES',
  'OPL',
  'PILOT',
  'PILOTS',
  'STATION',
  'BELGIUM',
  'NETHERLANDS',
  'NL',
  'GERMANY',
  'UK',
  'ENGLAND',
  'SPAIN',
  'VIA',
  'THE',
]);

interface Entry {
  code: string;
  key: string;
}

const ENTRIES: Entry[] = [];
const BY_KEY = new Map<string, string>();
for (const [code, names] of Object.entries(PORTS)) {
  for (const name of names) {
    const key = compact(name);
    ENTRIES.push({ code, key });
    BY_KEY.set(key, code);
  }
}

function compact(s: string): string {
  return s.replace(/[^A-Z0-9]/g, '');
}

/** Letters and digits only, upper case, accents removed; anything else becomes one space. */
function clean(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9>]+/g, ' ')
    .trim();
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), bounded by max. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < rows; i++) d[i][0] = i;
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
  }
  return d[a.length][b.length];
}

/** Edits tolerated for a name of this length: none below 5 letters, then 1, and 2 from 8 letters. */
function tolerance(len: number): number {
  return len < 5 ? 0 : len < 8 ? 1 : 2;
}

function lookup(key: string): string | undefined {
  if (key.length < 2) return undefined;
  const exact = BY_KEY.get(key);
  if (exact) return exact;
  const max = tolerance(key.length);
  if (max === 0) return undefined;
  let found: string | undefined;
  let bestDist = max + 1;
  let ambiguous = false;
  for (const e of ENTRIES) {
    if (e.key.length < 5) continue;
    const d = distance(key, e.key, Math.min(max, tolerance(e.key.length)));
    if (d < bestDist) {
      bestDist = d;
      found = e.code;
      ambiguous = false;
    } else if (d === bestDist && found !== e.code) ambiguous = true;
  }
  return bestDist <= max && !ambiguous ? found : undefined;
}

const LOCODE = /^([A-Z]{2}) ?([A-Z2-9]{3})$/;
const ISRS = /^[A-Z]{2}[A-Z2-9]{3}[0-9]{5}[0-9A-Z]{5}[0-9]{5}$/;

/**
 * The UN/LOCODE of an AIS destination, or undefined when it cannot be told with confidence.
 * Codes typed as codes ("FRLEH", "FR LEH", "FR-LEH") are accepted when they are in the table, or when
 * written with a separator between country and location ("NL RTM"): a bare five-letter word such as
 * "DOVER" is read as a name, not as a code.
 */
export function destinationToLocode(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const text = clean(raw);
  // "FROM>TO", "A=>B", "DEHAM>>>BEANR": the destination is the last leg.
  const legs = text
    .split('>')
    .map((s) => s.trim())
    .filter(Boolean);
  const leg = legs[legs.length - 1];
  if (!leg) return undefined;

  const code = LOCODE.exec(leg);
  if (code) {
    const locode = code[1] + code[2];
    if (PORTS[locode] || leg.includes(' ')) return locode;
  }
  // Inland ERI/ISRS location codes (20 characters) start with the UN/LOCODE: NLRTM00116LOCKB00410.
  if (ISRS.test(leg)) return leg.slice(0, 5);
  const words = leg.split(' ').filter(Boolean);
  if (words.length > 1) {
    // A LOCODE followed by a berth or area ("JP YOK XX", "FRLEH TPO", "US OAK 22").
    if (words[0].length === 5 && PORTS[words[0]]) return words[0];
    if (/^[A-Z]{2}$/.test(words[0]) && /^[A-Z2-9]{3}$/.test(words[1])) return words[0] + words[1];
  }
  const meaningful = words.filter((w) => !NOISE.has(w));
  const candidates = [compact(meaningful.join('')), compact(words.join(''))];
  // "DE HAMBURG": a country code before the name.
  if (meaningful.length > 1 && meaningful[0].length === 2)
    candidates.push(compact(meaningful.slice(1).join('')));
  // "ANTWERP KADE", "ROTTERDAM ANCHRAGE": the port name followed by a local detail.
  if (meaningful.length > 1) candidates.push(meaningful[0], meaningful[0] + meaningful[1]);
  for (const c of candidates) {
    const found = lookup(c);
    if (found) return found;
  }
  return undefined;
}

/** The table's LOCODEs (for documentation and tests). */
export function knownLocodes(): string[] {
  return Object.keys(PORTS);
}
