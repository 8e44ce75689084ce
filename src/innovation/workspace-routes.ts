import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/db.js';
import { assertAuthenticated, type Principal, type UserPrincipal } from '../governance/index.js';
import { ProblemError } from '../http/problem.js';
import { attachmentHeader } from './files.js';
import * as M from './model.js';
import { type CommunityOut, memberOf, mustCommunity } from './service.js';
import {
  addMilestone,
  addPost,
  addResource,
  attendanceSeries,
  deleteMilestone,
  deletePost,
  deleteResource,
  listPosts,
  listResources,
  listThreads,
  mustMilestone,
  mustPost,
  mustResource,
  mustThread,
  resourceContent,
  roadmap,
  setThreadLocked,
  startThread,
  updateMilestone,
} from './workspace.js';

export interface WorkspaceDeps {
  db: Db;
  canManageCommunity: (p: Principal, c: CommunityOut) => Promise<boolean>;
  person: (req: FastifyRequest) => Promise<UserPrincipal>;
}

const P = '/api/innovation';
const TAGS = ['innovation'];
const s = <T extends object>(summary: string, extra: T) => ({ tags: TAGS, summary, ...extra });
type Params = { id: string };

/** Roadmap (public), resources (public or members), discussion (members), attendance over time (public). */
export async function workspaceRoutes(app: FastifyInstance, deps: WorkspaceDeps): Promise<void> {
  const { db, canManageCommunity, person } = deps;

  /** What the caller is in the community: manager, active member (with role), or nothing. */
  const standing = async (p: Principal, c: CommunityOut) => {
    const manager = await canManageCommunity(p, c);
    const m = p.kind === 'user' ? await memberOf(db, c.id, p.userId) : undefined;
    const active = m?.status === 'active';
    return {
      manager,
      member: manager || active,
      contributor: manager || (active && (m?.role === 'contributor' || m?.role === 'coordinator')),
    };
  };
  const assertManager = async (req: FastifyRequest, c: CommunityOut) => {
    const p = await assertAuthenticated(req);
    if (!(await canManageCommunity(p, c)))
      throw new ProblemError('Forbidden', 'this operation is reserved to the community coordinators');
  };
  /** Discussions are for members: to others the thread does not exist. */
  const assertMember = async (req: FastifyRequest, c: CommunityOut) => {
    const p = await assertAuthenticated(req);
    if (!(await standing(p, c)).member)
      throw new ProblemError('Forbidden', 'discussions are open to the active members of the community');
    return p;
  };

  // ---- roadmap ----
  app.get(
    `${P}/communities/:id/roadmap`,
    {
      schema: s("The community's roadmap: milestones of its work plan (public)", {
        params: M.IdParams,
        response: { 200: Type.Object({ items: Type.Array(M.Milestone) }) },
      }),
    },
    async (req) => {
      const c = await mustCommunity(db, (req.params as Params).id);
      return { items: await roadmap(db, c.id) };
    },
  );
  app.post(
    `${P}/communities/:id/roadmap`,
    {
      schema: s('Add a milestone (coordinators)', {
        params: M.IdParams,
        body: M.MilestoneCreate,
        response: { 201: M.Milestone },
      }),
    },
    async (req, reply) => {
      const c = await mustCommunity(db, (req.params as Params).id);
      await assertManager(req, c);
      return reply.code(201).send(await addMilestone(db, c.id, req.body as Static<typeof M.MilestoneCreate>));
    },
  );
  const ownMilestone = async (req: FastifyRequest) => {
    const { id, milestoneId } = req.params as { id: string; milestoneId: string };
    const c = await mustCommunity(db, id);
    const m = await mustMilestone(db, milestoneId);
    if (m.communityId !== c.id) throw new ProblemError('ResourceNotFound', 'milestone not found');
    await assertManager(req, c);
    return m;
  };
  app.patch(
    `${P}/communities/:id/roadmap/:milestoneId`,
    {
      schema: s('Edit a milestone, mark it done (coordinators)', {
        params: M.MilestoneParams,
        body: M.MilestonePatch,
        response: { 200: M.Milestone },
      }),
    },
    async (req) => {
      const m = await ownMilestone(req);
      return updateMilestone(db, m.id, req.body as Static<typeof M.MilestonePatch>);
    },
  );
  app.delete(
    `${P}/communities/:id/roadmap/:milestoneId`,
    { schema: s('Remove a milestone (coordinators)', { params: M.MilestoneParams }) },
    async (req, reply) => {
      const m = await ownMilestone(req);
      await deleteMilestone(db, m.id);
      return reply.code(204).send();
    },
  );

  // ---- attendance ----
  app.get(
    `${P}/communities/:id/attendance`,
    {
      schema: s("Monthly attendance of the community's events (public figures)", {
        params: M.IdParams,
        querystring: M.AttendanceQuery,
        response: { 200: M.AttendanceSeries },
      }),
    },
    async (req) => {
      const c = await mustCommunity(db, (req.params as Params).id);
      const q = req.query as Static<typeof M.AttendanceQuery>;
      return { communityId: c.id, items: await attendanceSeries(db, c.id, q) };
    },
  );

  // ---- resources ----
  app.get(
    `${P}/communities/:id/resources`,
    {
      schema: s("Shared resources: public ones to anyone, the members' ones to members", {
        params: M.IdParams,
        querystring: M.Paging,
        response: { 200: M.page(M.Resource) },
      }),
    },
    async (req) => {
      const c = await mustCommunity(db, (req.params as Params).id);
      const { member } = await standing(req.principal, c);
      const { limit, offset } = req.query as M.PagingQuery;
      return { ...(await listResources(db, c.id, member, limit, offset)), limit, offset };
    },
  );
  app.post(
    `${P}/communities/:id/resources`,
    {
      schema: s(
        'Share a link or a file (contributors and coordinators; files 2 MiB, PDF, images, office, CSV)',
        {
          params: M.IdParams,
          body: M.ResourceCreate,
          response: { 201: M.Resource },
        },
      ),
    },
    async (req, reply) => {
      const c = await mustCommunity(db, (req.params as Params).id);
      const p = await person(req);
      if (!(await standing(p, c)).contributor)
        throw new ProblemError('Forbidden', 'resources are shared by the contributors and coordinators');
      const r = await addResource(
        db,
        c.id,
        { userId: p.userId, name: p.name },
        req.body as Static<typeof M.ResourceCreate>,
      );
      return reply.code(201).send(r);
    },
  );
  const readableResource = async (req: FastifyRequest) => {
    const { id, resourceId } = req.params as { id: string; resourceId: string };
    const c = await mustCommunity(db, id);
    const r = await mustResource(db, resourceId);
    const st = await standing(req.principal, c);
    if (r.communityId !== c.id || (r.visibility === 'members' && !st.member))
      throw new ProblemError('ResourceNotFound', 'resource not found');
    return { c, r, st };
  };
  const ResourceParams = Type.Object({ id: M.Uuid, resourceId: M.Uuid });
  app.get(
    `${P}/communities/:id/resources/:resourceId/content`,
    { schema: s('Download a shared file', { params: ResourceParams }) },
    async (req, reply) => {
      const { r } = await readableResource(req);
      if (!r.file) throw new ProblemError('ResourceNotFound', 'this resource is a link');
      return reply
        .type(r.file.contentType)
        .header('content-disposition', attachmentHeader(r.file.filename))
        .header('x-content-type-options', 'nosniff')
        .send(await resourceContent(db, r.id));
    },
  );
  app.delete(
    `${P}/communities/:id/resources/:resourceId`,
    { schema: s('Remove a resource (its author or the coordinators)', { params: ResourceParams }) },
    async (req, reply) => {
      const p = await assertAuthenticated(req);
      const { r, st } = await readableResource(req);
      if (!st.manager && !(p.kind === 'user' && p.userId === r.author.userId))
        throw new ProblemError('Forbidden', 'a resource is removed by its author or the coordinators');
      await deleteResource(db, r.id);
      return reply.code(204).send();
    },
  );

  // ---- discussion ----
  app.get(
    `${P}/communities/:id/threads`,
    {
      schema: s('Discussion threads, latest activity first (members)', {
        params: M.IdParams,
        querystring: M.Paging,
        response: { 200: M.page(M.Thread) },
      }),
    },
    async (req) => {
      const c = await mustCommunity(db, (req.params as Params).id);
      await assertMember(req, c);
      const { limit, offset } = req.query as M.PagingQuery;
      return { ...(await listThreads(db, c.id, limit, offset)), limit, offset };
    },
  );
  app.post(
    `${P}/communities/:id/threads`,
    {
      schema: s('Start a thread with its first post (members)', {
        params: M.IdParams,
        body: M.ThreadCreate,
        response: { 201: M.Thread },
      }),
    },
    async (req, reply) => {
      const c = await mustCommunity(db, (req.params as Params).id);
      const p = await person(req);
      await assertMember(req, c);
      const b = req.body as Static<typeof M.ThreadCreate>;
      return reply
        .code(201)
        .send(await startThread(db, c.id, { userId: p.userId, name: p.name }, b.title, b.body));
    },
  );
  const memberThread = async (req: FastifyRequest) => {
    const t = await mustThread(db, (req.params as Params).id);
    const c = await mustCommunity(db, t.communityId);
    await assertMember(req, c);
    return { t, c };
  };
  app.get(
    `${P}/threads/:id/posts`,
    {
      schema: s('Posts of a thread, oldest first (members)', {
        params: M.IdParams,
        querystring: M.Paging,
        response: { 200: M.page(M.Post) },
      }),
    },
    async (req) => {
      const { t } = await memberThread(req);
      const { limit, offset } = req.query as M.PagingQuery;
      return { ...(await listPosts(db, t.id, limit, offset)), limit, offset };
    },
  );
  app.post(
    `${P}/threads/:id/posts`,
    {
      schema: s('Reply (members; not in a locked thread)', {
        params: M.IdParams,
        body: M.PostCreate,
        response: { 201: M.Post },
      }),
    },
    async (req, reply) => {
      const p = await person(req);
      const { t } = await memberThread(req);
      const post = await addPost(
        db,
        t.id,
        { userId: p.userId, name: p.name },
        (req.body as { body: string }).body,
      );
      return reply.code(201).send(post);
    },
  );
  app.patch(
    `${P}/threads/:id`,
    {
      schema: s('Lock or unlock a thread (coordinators)', {
        params: M.IdParams,
        body: M.ThreadPatch,
        response: { 200: M.Thread },
      }),
    },
    async (req) => {
      const { t, c } = await memberThread(req);
      await assertManager(req, c);
      return setThreadLocked(db, t.id, (req.body as { locked: boolean }).locked);
    },
  );
  app.delete(
    `${P}/posts/:id`,
    { schema: s('Remove a post (its author or the coordinators)', { params: M.IdParams }) },
    async (req, reply) => {
      const p = await assertAuthenticated(req);
      const post = await mustPost(db, (req.params as Params).id);
      const c = await mustCommunity(db, post.communityId);
      const st = await standing(p, c);
      if (!st.member) throw new ProblemError('ResourceNotFound', 'post not found');
      if (!st.manager && !(p.kind === 'user' && p.userId === post.author.userId))
        throw new ProblemError('Forbidden', 'a post is removed by its author or the coordinators');
      await deletePost(db, post.id);
      return reply.code(204).send();
    },
  );
}
