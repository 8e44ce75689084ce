import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/db.js';
import {
  assertAuthenticated,
  isPlatformAdmin,
  type Principal,
  roleAtLeast,
  roleIn,
} from '../governance/index.js';
import { ProblemError } from '../http/problem.js';
import { mustCall } from './calls.js';
import {
  createPartner,
  createPractice,
  deletePartner,
  deletePractice,
  listPartners,
  listPractices,
  mustPartner,
  mustPractice,
  type PartnerProject,
  partnerFacets,
  practiceTags,
  updatePartner,
  updatePractice,
} from './directory.js';
import * as M from './model.js';
import { mustCommunity } from './service.js';

export interface DirectoryDeps {
  db: Db;
  /** The Observatory's public projects of an organisation (wired by src/app.ts); absent: stored names only. */
  partnerProjects?: (p: { name: string; orgId: string | null }) => Promise<PartnerProject[]>;
  /** Coordinators of the community, admins of its organisation, platform administrators. */
  managesCommunity: (p: Principal, communityId: string) => Promise<boolean>;
}

const P = '/api/innovation';
const TAGS = ['innovation'];
const s = <T extends object>(summary: string, extra: T) => ({ tags: TAGS, summary, ...extra });
type Params = { id: string };

const editorOf = (p: Principal, orgId: string | null) => {
  if (!orgId) return false;
  const r = roleIn(p, orgId);
  return r !== undefined && roleAtLeast(r, 'editor');
};

/** The partners directory (public; platform administrators and the partner's own editors maintain it). */
export async function directoryRoutes(app: FastifyInstance, deps: DirectoryDeps): Promise<void> {
  const { db } = deps;
  const platformAdmin = async (req: FastifyRequest) => {
    const p = await assertAuthenticated(req);
    if (!isPlatformAdmin(p))
      throw new ProblemError('Forbidden', 'the directory is maintained by platform administrators');
    return p;
  };

  app.get(
    `${P}/partners`,
    {
      schema: s('Partners of the programme (public): search by name, sector, role, size', {
        querystring: M.PartnerQuery,
        response: { 200: M.page(M.Partner) },
      }),
    },
    async (req) => {
      const q = req.query as Static<typeof M.PartnerQuery>;
      return { ...(await listPartners(db, q, q.limit, q.offset)), limit: q.limit, offset: q.offset };
    },
  );
  app.get(
    `${P}/partners/facets`,
    { schema: s('Sectors and roles of the partners, with counts', { response: { 200: M.PartnerFacets } }) },
    async () => partnerFacets(db),
  );
  app.get(
    `${P}/partners/:id`,
    {
      schema: s('A partner with its projects in the Observatory (public)', {
        params: M.IdParams,
        response: { 200: M.Partner },
      }),
    },
    async (req) => {
      const p = await mustPartner(db, (req.params as Params).id);
      if (!deps.partnerProjects) return p;
      return { ...p, observatoryProjects: await deps.partnerProjects({ name: p.name, orgId: p.orgId }) };
    },
  );
  app.post(
    `${P}/partners`,
    {
      schema: s('Add a partner (platform administrators)', {
        body: M.PartnerCreate,
        response: { 201: M.Partner },
      }),
    },
    async (req, reply) => {
      await platformAdmin(req);
      return reply.code(201).send(await createPartner(db, req.body as Static<typeof M.PartnerCreate>));
    },
  );
  app.patch(
    `${P}/partners/:id`,
    {
      schema: s(
        "Edit a partner (platform administrators; the partner's own editors, but not its organisation)",
        {
          params: M.IdParams,
          body: M.PartnerPatch,
          response: { 200: M.Partner },
        },
      ),
    },
    async (req) => {
      const p = await assertAuthenticated(req);
      const before = await mustPartner(db, (req.params as Params).id);
      const b = req.body as Static<typeof M.PartnerPatch>;
      if (!isPlatformAdmin(p)) {
        if (!editorOf(p, before.orgId))
          throw new ProblemError('Forbidden', "a partner's entry is edited by its own editors");
        if (b.orgId !== undefined && b.orgId !== before.orgId)
          throw new ProblemError(
            'Forbidden',
            'only platform administrators link a partner to an organisation',
          );
      }
      return updatePartner(db, before.id, b);
    },
  );
  app.delete(
    `${P}/partners/:id`,
    { schema: s('Remove a partner (platform administrators)', { params: M.IdParams }) },
    async (req, reply) => {
      await platformAdmin(req);
      await deletePartner(db, (req.params as Params).id);
      return reply.code(204).send();
    },
  );

  // ---- knowledge base ----
  /**
   * Platform administrators, coordinators of every linked community and managers of every linked call; a
   * practice linked to nothing is maintained by platform administrators.
   */
  const assertCurator = async (
    req: FastifyRequest,
    links: { communityIds?: string[]; callIds?: string[] },
  ): Promise<Principal> => {
    const p = await assertAuthenticated(req);
    if (isPlatformAdmin(p)) return p;
    const communities = links.communityIds ?? [];
    const calls = links.callIds ?? [];
    let ok = communities.length + calls.length > 0;
    for (const id of communities) {
      await mustCommunity(db, id);
      ok = ok && (await deps.managesCommunity(p, id));
    }
    for (const id of calls) ok = ok && editorOf(p, (await mustCall(db, id)).orgId);
    if (!ok) {
      throw new ProblemError(
        'Forbidden',
        'practices are curated by the coordinators of their communities and the managers of their calls',
      );
    }
    return p;
  };
  const actor = (p: Principal) =>
    p.kind === 'user' ? `user:${p.userId}` : p.kind === 'apiKey' ? `apikey:${p.keyId}` : null;

  app.get(
    `${P}/practices`,
    {
      schema: s('Knowledge base: good practices and benchmarks (public); ?tag= repeated means all of them', {
        querystring: M.PracticeQuery,
        response: { 200: M.page(M.Practice) },
      }),
    },
    async (req) => {
      const q = req.query as Static<typeof M.PracticeQuery>;
      return {
        ...(await listPractices(db, { ...q, tags: q.tag }, q.limit, q.offset)),
        limit: q.limit,
        offset: q.offset,
      };
    },
  );
  app.get(
    `${P}/practices/tags`,
    { schema: s('Tags of the knowledge base, most used first', { response: { 200: M.TagFacets } }) },
    async () => ({ items: await practiceTags(db) }),
  );
  app.get(
    `${P}/practices/:id`,
    { schema: s('A practice (public)', { params: M.IdParams, response: { 200: M.Practice } }) },
    async (req) => mustPractice(db, (req.params as Params).id),
  );
  app.post(
    `${P}/practices`,
    {
      schema: s('Add a practice (platform administrators, coordinators and call managers it is linked to)', {
        body: M.PracticeCreate,
        response: { 201: M.Practice },
      }),
    },
    async (req, reply) => {
      const b = req.body as Static<typeof M.PracticeCreate>;
      const p = await assertCurator(req, b);
      return reply.code(201).send(await createPractice(db, b, actor(p)));
    },
  );
  app.patch(
    `${P}/practices/:id`,
    {
      schema: s('Edit a practice', {
        params: M.IdParams,
        body: M.PracticePatch,
        response: { 200: M.Practice },
      }),
    },
    async (req) => {
      const before = await mustPractice(db, (req.params as Params).id);
      const b = req.body as Static<typeof M.PracticePatch>;
      await assertCurator(req, before);
      await assertCurator(req, { ...before, ...b });
      return updatePractice(db, before.id, b);
    },
  );
  app.delete(
    `${P}/practices/:id`,
    { schema: s('Remove a practice', { params: M.IdParams }) },
    async (req, reply) => {
      const before = await mustPractice(db, (req.params as Params).id);
      await assertCurator(req, before);
      await deletePractice(db, before.id);
      return reply.code(204).send();
    },
  );
}
