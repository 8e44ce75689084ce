import { CLASS_B_POLICIES, type ClassBPolicy } from './ingest/ais/vessels.js';

/** Escale's configuration: environment variables, overridable by CLI flags. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL URL; when empty the embedded PGlite store in dataDir is used. */
  databaseUrl?: string;
  dataDir: string;
  /** The embedded store's autovacuum round, in ms (ESCALE_DATA_MAINTENANCE_MS; 0 turns it off). */
  dataMaintenanceMs: number;
  /** JSON file mapping @context URLs to local files; those URLs are never fetched. */
  contextMap?: string;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  logLevel: string;
  /** Remote @context fetch limits. */
  contextFetchTimeoutMs: number;
  contextMaxBytes: number;
  /** Load the Le Havre demo into an empty store (ESCALE_DEMO=0 or --no-demo to disable). */
  demo: boolean;
  /** AIS over TCP: host:port of NMEA servers (ESCALE_AIS_TCP, comma-separated). */
  aisTcp: string[];
  /** AIS over UDP: ports (or host:port) to listen on (ESCALE_AIS_UDP, comma-separated). */
  aisUdp: string[];
  /** NMEA file replayed in a loop, `file[@speed]` (ESCALE_AIS_REPLAY). */
  aisReplay?: string;
  /** Class B units (leisure craft): show, coarsen (~1 km, no name) or hide (ESCALE_AIS_CLASS_B). */
  aisClassB: ClassBPolicy;
  /** Vessel writes are coalesced and flushed every this many ms (ESCALE_AIS_FLUSH_MS)... */
  aisFlushMs: number;
  /** ...or as soon as this many entities wait (ESCALE_AIS_FLUSH_MAX). */
  aisFlushMax: number;
  /** Speed of the demo's AIS replay (ESCALE_DEMO_AIS_SPEED). */
  demoAisSpeed: number;
  /** GeoJSON geofences of the port (ESCALE_GEOFENCES); the shipped Le Havre file when absent. */
  geofences?: string;
  /** Minutes a vessel stays slow in a berth before the berth counts as occupied (ESCALE_BERTH_MINUTES). */
  berthMooredMinutes: number;
  /** Shared secret of the truck gate webhook, header X-Escale-Gate-Key (ESCALE_GATE_KEY). */
  gateKey?: string;
  /** HMAC key pseudonymising truck plates (ESCALE_PLATE_KEY); generated into the data dir when absent. */
  plateKey?: string;
  /** HS256 key of bearer tokens, 32+ characters (ESCALE_JWT_KEY); generated once into the database when absent. */
  jwtKey?: string;
  /** Lifetime of a bearer token in seconds (ESCALE_TOKEN_TTL). */
  tokenTtlSeconds: number;
  /** How long a checked credential is reused before the database is read again, ms (ESCALE_AUTH_CACHE_MS; 0: off). */
  principalCacheMs: number;
  /** Password of the demo's platform administrator (ESCALE_ADMIN_PASSWORD); generated into the data dir when absent. */
  adminPassword?: string;
  /** OIDC sign-in: issuer URL, client id and secret, redirect URI (ESCALE_OIDC_*). */
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcClientSecret?: string;
  oidcRedirectUri?: string;
  /** Requests per window per user, API key or anonymous IP (ESCALE_RATE_LIMIT; 0 disables). */
  rateLimitMax: number;
  /** Rate-limit window in ms (ESCALE_RATE_LIMIT_WINDOW_MS). */
  rateLimitWindowMs: number;
  /** Password sign-in attempts per window and IP (ESCALE_LOGIN_RATE_LIMIT). */
  loginRateLimitMax: number;
  /**
   * Secrets of the waste-sensor integrations, header X-Escale-Waste-Key: The Things Stack webhook
   * (ESCALE_WASTE_TTS_KEY), ChirpStack HTTP integration (ESCALE_WASTE_CHIRPSTACK_KEY), plain JSON readings and
   * (ESCALE_WASTE_KEY). Container registration and plans need a user or an API key with waste:write.
   */
  wasteKeys: { tts?: string; chirpstack?: string; http?: string };
  /** OpenStreetMap XML (.osm) of the area: road distances for collection rounds (ESCALE_WASTE_OSM). */
  wasteOsm?: string;
  /** Temporal history retention rules, e.g. `*=P90D,port/Vessel=P2Y` (ESCALE_TEMPORAL_RETENTION). */
  temporalRetention?: string;
  /** How often expired history is pruned, ms; 0 disables (ESCALE_TEMPORAL_RETENTION_INTERVAL_MS, 1 h). */
  temporalRetentionIntervalMs: number;
  /** Observatory e-mail: SMTP URL (ESCALE_SMTP_URL; without it, .eml files in <dataDir>/outbox/), sender (ESCALE_MAIL_FROM). */
  smtpUrl?: string;
  mailFrom?: string;
  /** Public base URL of the platform, used in links sent by e-mail (ESCALE_PUBLIC_URL). */
  publicUrl?: string;
  /** HS256 key of the observatory's answer links (ESCALE_OBSERVATORY_LINK_KEY); generated into the database when absent. */
  observatoryLinkKey?: string;
  /** How often automatic observatory reminders run, ms; 0 disables (ESCALE_OBSERVATORY_REMINDER_MS, 1 h). */
  observatoryReminderMs: number;
  /**
   * How often the innovation hub looks for event reminders to send, ms; 0 disables
   * (ESCALE_INNOVATION_REMINDER_MS, default: the observatory's interval).
   */
  innovationReminderMs: number;
}

/** A setting that cannot be used: the `escale` command says which and exits 3, without a stack trace. */
export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const num = (name: string, d: number) => {
    const v = env[name];
    if (v === undefined || v === '') return d;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new ConfigError(`${name}=${v}: not a number`);
    return n;
  };
  const config: Config = {
    port: num('PORT', 8080),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.ESCALE_DATA_DIR || './data',
    dataMaintenanceMs: num('ESCALE_DATA_MAINTENANCE_MS', 10_000),
    contextMap: env.ESCALE_CONTEXT_MAP || undefined,
    bodyLimit: num('ESCALE_BODY_LIMIT', 4 * 1024 * 1024),
    logLevel: env.LOG_LEVEL || (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    contextFetchTimeoutMs: num('ESCALE_CONTEXT_TIMEOUT_MS', 5000),
    contextMaxBytes: num('ESCALE_CONTEXT_MAX_BYTES', 1024 * 1024),
    demo: !['0', 'false', 'no', 'off'].includes((env.ESCALE_DEMO ?? '1').toLowerCase()),
    aisTcp: list(env.ESCALE_AIS_TCP),
    aisUdp: list(env.ESCALE_AIS_UDP),
    aisReplay: env.ESCALE_AIS_REPLAY || undefined,
    aisClassB: classB(env.ESCALE_AIS_CLASS_B),
    aisFlushMs: num('ESCALE_AIS_FLUSH_MS', 1000),
    aisFlushMax: num('ESCALE_AIS_FLUSH_MAX', 500),
    demoAisSpeed: num('ESCALE_DEMO_AIS_SPEED', 2),
    geofences: env.ESCALE_GEOFENCES || undefined,
    berthMooredMinutes: num('ESCALE_BERTH_MINUTES', 5),
    gateKey: env.ESCALE_GATE_KEY || undefined,
    plateKey: env.ESCALE_PLATE_KEY || undefined,
    jwtKey: env.ESCALE_JWT_KEY || undefined,
    tokenTtlSeconds: num('ESCALE_TOKEN_TTL', 3600),
    principalCacheMs: num('ESCALE_AUTH_CACHE_MS', 5000),
    adminPassword: env.ESCALE_ADMIN_PASSWORD || undefined,
    oidcIssuer: env.ESCALE_OIDC_ISSUER || undefined,
    oidcClientId: env.ESCALE_OIDC_CLIENT_ID || undefined,
    oidcClientSecret: env.ESCALE_OIDC_CLIENT_SECRET || undefined,
    oidcRedirectUri: env.ESCALE_OIDC_REDIRECT_URI || undefined,
    rateLimitMax: num('ESCALE_RATE_LIMIT', 1200),
    rateLimitWindowMs: num('ESCALE_RATE_LIMIT_WINDOW_MS', 60_000),
    loginRateLimitMax: num('ESCALE_LOGIN_RATE_LIMIT', 10),
    wasteKeys: {
      tts: env.ESCALE_WASTE_TTS_KEY || undefined,
      chirpstack: env.ESCALE_WASTE_CHIRPSTACK_KEY || undefined,
      http: env.ESCALE_WASTE_KEY || undefined,
    },
    wasteOsm: env.ESCALE_WASTE_OSM || undefined,
    temporalRetention: env.ESCALE_TEMPORAL_RETENTION || undefined,
    temporalRetentionIntervalMs: num('ESCALE_TEMPORAL_RETENTION_INTERVAL_MS', 3_600_000),
    smtpUrl: env.ESCALE_SMTP_URL || undefined,
    mailFrom: env.ESCALE_MAIL_FROM || undefined,
    publicUrl: env.ESCALE_PUBLIC_URL || undefined,
    observatoryLinkKey: env.ESCALE_OBSERVATORY_LINK_KEY || undefined,
    observatoryReminderMs: num('ESCALE_OBSERVATORY_REMINDER_MS', env.NODE_ENV === 'test' ? 0 : 3_600_000),
    innovationReminderMs: num(
      'ESCALE_INNOVATION_REMINDER_MS',
      num('ESCALE_OBSERVATORY_REMINDER_MS', env.NODE_ENV === 'test' ? 0 : 3_600_000),
    ),
  };
  return { ...config, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function classB(v: string | undefined): ClassBPolicy {
  const policy = (v || 'coarsen').toLowerCase() as ClassBPolicy;
  if (!CLASS_B_POLICIES.includes(policy)) {
    throw new ConfigError(`ESCALE_AIS_CLASS_B must be show, coarsen or hide, got ${v}`);
  }
  return policy;
}

/** The URL with its password hidden, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
