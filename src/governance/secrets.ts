import { createHash, randomBytes } from 'node:crypto';
import { type Algorithm, hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { jwtVerify, SignJWT } from 'jose';
import type { Db } from '../db/db.js';

// ---- passwords: Argon2id (OWASP parameters: m=19 MiB, t=2, p=1) ----

const ARGON = {
  algorithm: 2 as Algorithm /* Argon2id */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return argonHash(password, ARGON);
}

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await argonVerify(phc, password);
  } catch {
    return false;
  }
}

/** A hash of a random password: verifying against it costs what a real check costs (no timing oracle). */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}

// ---- API keys: 256-bit random secrets, stored as SHA-256 ----

export const API_KEY_PREFIX = 'esk_';
const API_KEY_RE = /^esk_[A-Za-z0-9_-]{43}$/;

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, 12), hash: sha256Hex(key) };
}

export const looksLikeApiKey = (s: string): boolean => API_KEY_RE.test(s);

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

// ---- JWT: HS256 bearer tokens ----

export interface TokenSigner {
  sign(userId: string): Promise<{ token: string; expiresIn: number }>;
  /** The user id of a valid token, or undefined (bad signature, expired, wrong issuer or audience). */
  verify(token: string): Promise<string | undefined>;
}

const ISSUER = 'escale';
const AUDIENCE = 'escale-api';

/**
 * The key comes from ESCALE_JWT_KEY (at least 32 characters) or is generated once and kept in the database,
 * so that every node of a deployment shares it. It is never logged.
 */
export async function loadJwtKey(db: Db, configured?: string): Promise<Uint8Array> {
  if (configured) {
    if (configured.length < 32) throw new Error('ESCALE_JWT_KEY must be at least 32 characters long');
    return new TextEncoder().encode(configured);
  }
  const fresh = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO gov_secrets (name, value) VALUES ('jwt-hs256', $1) ON CONFLICT (name) DO NOTHING`,
    [fresh],
  );
  const r = await db.query<{ value: string }>(`SELECT value FROM gov_secrets WHERE name = 'jwt-hs256'`);
  return Buffer.from(r.rows[0].value, 'base64url');
}

export function tokenSigner(key: Uint8Array, ttlSeconds: number): TokenSigner {
  return {
    async sign(userId) {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setJti(randomBytes(12).toString('base64url'))
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
        });
        return typeof payload.sub === 'string' ? payload.sub : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
