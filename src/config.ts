/** Escale's configuration: environment variables, overridable by CLI flags. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL URL; when empty the embedded PGlite store in dataDir is used. */
  databaseUrl?: string;
  dataDir: string;
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
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const num = (v: string | undefined, d: number) => {
    if (v === undefined || v === '') return d;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
    return n;
  };
  const config: Config = {
    port: num(env.PORT, 8080),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.ESCALE_DATA_DIR || './data',
    contextMap: env.ESCALE_CONTEXT_MAP || undefined,
    bodyLimit: num(env.ESCALE_BODY_LIMIT, 4 * 1024 * 1024),
    logLevel: env.LOG_LEVEL || (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    contextFetchTimeoutMs: num(env.ESCALE_CONTEXT_TIMEOUT_MS, 5000),
    contextMaxBytes: num(env.ESCALE_CONTEXT_MAX_BYTES, 1024 * 1024),
    demo: !['0', 'false', 'no', 'off'].includes((env.ESCALE_DEMO ?? '1').toLowerCase()),
  };
  return { ...config, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
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
