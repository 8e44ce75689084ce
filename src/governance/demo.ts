import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { OrganisationCreate } from './model.js';
import type { Governance } from './service.js';

/**
 * The organisations of Le Havre Smart Port City named in the programme's documents (HAROPA Port, the
 * metropolis, AURH, Soget, the container terminals), and two demo start-ups marked as examples.
 */
export const LE_HAVRE_ORGANISATIONS: OrganisationCreate[] = [
  {
    slug: 'haropa-port',
    name: 'HAROPA Port',
    kind: 'port-authority',
    website: 'https://www.haropaport.com',
    emailDomains: ['haropaport.com'],
  },
  {
    slug: 'le-havre-seine-metropole',
    name: 'Le Havre Seine Métropole',
    kind: 'metropolis',
    website: 'https://www.lehavreseinemetropole.fr',
    emailDomains: ['lehavremetro.fr'],
  },
  {
    slug: 'aurh',
    name: "AURH (Agence d'urbanisme Le Havre – Estuaire de la Seine)",
    kind: 'research',
    website: 'https://www.aurh.fr',
  },
  { slug: 'soget', name: 'Soget (port community system)', kind: 'operator', website: 'https://www.soget.fr' },
  { slug: 'generalis-tdf', name: 'Generalis Terminal de France', kind: 'operator' },
  { slug: 'terminal-porte-oceane', name: 'Terminal Porte Océane (TPO)', kind: 'operator' },
  { slug: 'tnmsc', name: 'Terminal de Normandie MSC', kind: 'operator' },
  {
    slug: 'demo-quai-data',
    name: 'Quai Data (demo start-up)',
    kind: 'start-up',
    description: 'Example start-up of the demo: berth-occupancy forecasts.',
  },
  {
    slug: 'demo-estuaire-mobilite',
    name: 'Estuaire Mobilité (demo start-up)',
    kind: 'start-up',
    description: 'Example start-up of the demo: truck-gate waiting times.',
  },
];

export const DEMO_ADMIN_EMAIL = 'admin@escale.local';

export interface GovernanceSeed {
  organisations: number;
  /** Where the generated admin password was written (never the password itself). */
  adminPasswordFile?: string;
  adminCreated: boolean;
}

/**
 * Seeds the demo's organisations and a platform administrator. The password comes from
 * ESCALE_ADMIN_PASSWORD, or is generated once into `<dataDir>/admin-password.txt` (mode 0600).
 */
export async function seedGovernanceDemo(
  gov: Governance,
  opts: { dataDir: string; adminPassword?: string },
): Promise<GovernanceSeed> {
  let organisations = 0;
  for (const o of LE_HAVRE_ORGANISATIONS) {
    if (await gov.repo.insertOrg(randomUUID(), o)) organisations++;
  }
  const out: GovernanceSeed = { organisations, adminCreated: false };
  if (await gov.repo.getUserByEmail(DEMO_ADMIN_EMAIL)) return out;
  let password = opts.adminPassword;
  if (!password) {
    const dir = resolve(opts.dataDir);
    const file = join(dir, 'admin-password.txt');
    if (existsSync(file)) password = readFileSync(file, 'utf8').trim();
    else {
      mkdirSync(dir, { recursive: true });
      password = randomBytes(18).toString('base64url');
      writeFileSync(file, `${password}\n`, { mode: 0o600 });
    }
    out.adminPasswordFile = file;
  }
  const admin = await gov.createUser({
    email: DEMO_ADMIN_EMAIL,
    name: 'Platform administrator',
    password,
    platformAdmin: true,
  });
  if (admin) {
    out.adminCreated = true;
    const haropa = await gov.repo.getOrgBySlug('haropa-port');
    if (haropa) await gov.repo.setMembership(haropa.id, admin.id, 'admin');
    await gov.audit({
      event: 'user.created',
      outcome: 'success',
      actor: 'system:demo',
      detail: { userId: admin.id, platformAdmin: true },
    });
  }
  return out;
}
