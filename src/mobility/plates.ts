/**
 * Truck plates are personal data: they are pseudonymised at ingestion with HMAC-SHA256 under a secret key
 * and never stored or logged in clear. The same plate under the same key always gives the same pseudonym,
 * which is all the statistics need (pairing a gate-in with its gate-out).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type PlateHasher = (plate: string) => string;

/** "ab-123 cd", "AB 123 CD" and "AB123CD" are one plate: letters and digits only, upper case, no accents. */
export function normalisePlate(plate: string): string {
  return plate
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

export function createPlateHasher(key: Buffer): PlateHasher {
  if (key.length < 16) throw new Error('the plate key must be at least 16 bytes');
  return (plate) => createHmac('sha256', key).update(normalisePlate(plate)).digest('hex');
}

export interface PlateKeySource {
  key: Buffer;
  /** Where the key came from; 'generated' means a new random key was just written to `file`. */
  origin: 'env' | 'file' | 'generated' | 'ephemeral';
  file?: string;
}

/**
 * The key: ESCALE_PLATE_KEY when set; otherwise the one kept in `<dataDir>/plate-key`, created (random,
 * 32 bytes, mode 0600) on first use. An in-memory data dir (`memory://`) gets a key for the process only.
 */
export function resolvePlateKey(opts: { plateKey?: string; dataDir: string }): PlateKeySource {
  if (opts.plateKey) {
    const key = Buffer.from(opts.plateKey, 'utf8');
    if (key.length < 16) throw new Error('ESCALE_PLATE_KEY must be at least 16 characters');
    return { key, origin: 'env' };
  }
  if (opts.dataDir.startsWith('memory://')) return { key: randomBytes(32), origin: 'ephemeral' };
  const dir = resolve(opts.dataDir);
  const file = join(dir, 'plate-key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length < 16) throw new Error(`${file} does not hold a key (64 hex digits expected)`);
    return { key, origin: 'file', file };
  }
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  // 'wx' fails if another process created it meanwhile: then read theirs, so both use one key.
  try {
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch {
    return resolvePlateKey(opts);
  }
  return { key, origin: 'generated', file };
}
