/**
 * How the capabilities are connected, each through the other's typed interface: the innovation hub's selected
 * applications become Observatory projects, and its e-mails go through the Observatory's mailer to the
 * addresses governance knows. Used by the composition root (src/app.ts).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import type { CallKind, Notifier, SelectionHook } from './innovation/index.js';
import { createMailer, createProjectFromSelection } from './observatory/index.js';

/** The Le Havre programme's ICC action for each kind of call, unless the call names its own action. */
const ACTION_OF_KIND: Record<CallKind, string> = {
  challenge: 'ICC4',
  intrapreneurship: 'ICC2',
  procurement: 'ICC3',
};

/** E-mails to applicants: their address from governance, sent by the Observatory's mailer (SMTP or outbox). */
export function applicantMail(config: Config, app: FastifyInstance): Notifier {
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom ?? 'Le Havre Smart Port City <innovation@escale.local>',
    outboxDir: join(config.dataDir, 'outbox'),
  });
  return async (m) => {
    const user = await app.governance.repo.getUser(m.userId);
    if (!user?.email) return { outcome: 'no-address', detail: 'the applicant has no e-mail address' };
    return {
      ...(await mailer.send({ to: user.email, subject: m.subject, text: m.text })),
      recipient: user.email,
    };
  };
}

/** A selected application becomes an Observatory project (idempotent), led by the applicant's organisation. */
export function selectionToObservatory(db: Db, app: FastifyInstance): SelectionHook {
  return async (s) => {
    const org = s.orgId ? await app.governance.repo.getOrg(s.orgId) : undefined;
    const link = await createProjectFromSelection(db, {
      programmeCode: 'LHSPC',
      actionId: s.observatory.actionId,
      actionCode: ACTION_OF_KIND[s.callKind],
      title: s.title,
      summary: s.summary ?? `${s.callTitle} (${s.reference ?? s.applicationId})`,
      leadOrganisation: org?.name ?? s.applicantName,
      leadOrgId: org ? s.orgId : null,
      contactName: s.applicantName,
      contactEmail: s.contactEmail ?? undefined,
      source: { kind: 'innovation-application', callId: s.callId, applicationId: s.applicationId },
      indicatorCodes: s.observatory.indicatorCodes,
      actor: s.decidedBy,
    });
    if (link.unknownIndicators.length) {
      app.log.warn(
        { callId: s.callId, codes: link.unknownIndicators },
        'observatory: unknown follow-up indicators',
      );
    }
    return { projectId: link.projectId };
  };
}
