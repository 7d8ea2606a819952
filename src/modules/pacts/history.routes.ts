import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../app';
import type { Db } from '../../db';
import { allow } from '../../http/authorize';
import { HttpError } from '../../http/errors';
import { uuidParam } from '../../http/validate';
import { formatMoney } from '../../lib/format';
import { findTerritory, localName } from '../reference/territories.repository';
import { loadPactFor } from './access';
import { listAuditWithNames, verifyAuditChain } from './audit';
import { detailSkillCodes, detailText, eventText, reasonText } from './history.view';
import { skillNames } from './pacts.repository';
import type { FieldChange } from './revision-diff';
import { diffRevisions, getRevision, listRevisions, removedSignatories } from './revisions';

const revisionNumber = z.coerce.number().int().min(1).max(1_000_000);
const show = (v: unknown) =>
  Array.isArray(v) ? v.join(', ') : v === null || v === undefined || v === '' ? '—' : String(v);

/**
 * A revision's stored values as a reader reads them: the survey, the call, the territory and the
 * skills by name, the modality by its label, the cost in euros (the content keeps ids and cents).
 */
async function revisionValues(db: Db, req: Request, lang: string, changes: FieldChange[]) {
  const of = (f: string) =>
    changes
      .filter((c) => c.field === f)
      .flatMap((c) => [c.from, c.to])
      .flat()
      .filter((v): v is string => typeof v === 'string' && v !== '');
  const campaignIds = of('campaign_id');
  const callIds = of('call_id');
  const [campaigns, calls, territories, skills] = await Promise.all([
    campaignIds.length
      ? db.selectFrom('campaigns').select(['id', 'title']).where('id', 'in', campaignIds).execute()
      : [],
    callIds.length
      ? db.selectFrom('funding_calls').select(['id', 'title']).where('id', 'in', callIds).execute()
      : [],
    Promise.all([...new Set(of('territory_code'))].map((c) => findTerritory(db, c))),
    skillNames(db, [...new Set(of('skill_codes'))]),
  ]);
  const titleOf = (rows: { id: string; title: string }[], v: string) =>
    rows.find((r) => r.id === v)?.title ?? v;
  return (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return '—';
    if (field === 'campaign_id') return titleOf(campaigns, String(v));
    if (field === 'call_id') return titleOf(calls, String(v));
    if (field === 'modality') return req.t(`pacts.modality.${String(v)}`);
    if (field === 'cost_cents') return formatMoney(Number(v), lang);
    if (field === 'territory_code') {
      const t = territories.find((x) => x?.code === v);
      return t ? `${localName(t, lang)} (${t.code})` : String(v);
    }
    if (field === 'skill_codes' && Array.isArray(v))
      return v
        .map((c) => {
          const k = skills.find((x) => x.code === c);
          return k ? `${localName(k, lang)} (${c})` : String(c);
        })
        .join(', ');
    return show(v);
  };
}

/** Revisions (old ones stay readable, each with what changed) and the audit chain. */
export function historyRoutes({ db }: AppServices): Router {
  const router = Router();

  router.get('/pacts/:id/revisions', allow('pact:read'), async (req, res) => {
    const { pact } = await loadPactFor(db, uuidParam(req), req.user!);
    const removed = await removedSignatories(db, pact.id);
    res.render('pacts/revisions', {
      title: req.t('pacts.tabTitle', { tab: req.t('pacts.revisions.title'), pact: pact.title }),
      pact,
      tab: 'revisions',
      revisions: (await listRevisions(db, pact.id)).map((r) => ({
        ...r,
        reason: reasonText(r.reason, req.t, removed.get(r.number)),
      })),
    });
  });

  router.get('/pacts/:id/revisions/:n', allow('pact:read'), async (req, res) => {
    const { pact } = await loadPactFor(db, uuidParam(req), req.user!);
    const n = revisionNumber.safeParse(req.params.n);
    if (!n.success) throw new HttpError(404);
    const rev = await getRevision(db, pact.id, n.data);
    if (!rev) throw new HttpError(404);
    const prev = n.data > 1 ? await getRevision(db, pact.id, n.data - 1) : undefined;
    const diff = diffRevisions(prev?.content ?? null, rev.content);
    const label = (f: string) => req.t(`pacts.fields.${f}`, { defaultValue: f });
    const value = await revisionValues(db, req, res.locals.lang as string, [
      ...diff.fields,
      ...diff.actions.changed.flatMap((a) => a.changes),
      ...rev.content.actions.map((a) => ({ field: 'skill_codes', from: null, to: a.skill_codes })),
    ]);
    res.render('pacts/revision', {
      title: req.t('pacts.tabTitle', {
        tab: req.t('pacts.revisions.one', { n: rev.number }),
        pact: pact.title,
      }),
      pact,
      tab: 'revisions',
      rev: {
        ...rev,
        reason: reasonText(
          rev.reason,
          req.t,
          diff.signatories.removed.map((x) => x.name),
        ),
      },
      prevNumber: prev?.number,
      nextNumber: rev.number < pact.revision ? rev.number + 1 : undefined,
      isCurrent: rev.number === pact.revision,
      fields: diff.fields.map((c) => ({
        label: label(c.field),
        from: value(c.field, c.from),
        to: value(c.field, c.to),
      })),
      added: diff.actions.added,
      removed: diff.actions.removed,
      changed: diff.actions.changed.map((a) => ({
        title: a.title,
        changes: a.changes.map((c) => ({
          label: label(c.field),
          from: value(c.field, c.from),
          to: value(c.field, c.to),
        })),
      })),
      signatories: diff.signatories,
      empty: diff.empty,
      content: {
        ...rev.content,
        actions: rev.content.actions.map((a) => ({
          ...a,
          skills: value('skill_codes', a.skill_codes),
        })),
      },
    });
  });

  router.get('/pacts/:id/audit', allow('pact:read'), async (req, res) => {
    const { pact } = await loadPactFor(db, uuidParam(req), req.user!);
    const [entries, chain, removed] = await Promise.all([
      listAuditWithNames(db, pact.id),
      verifyAuditChain(db, pact.id),
      removedSignatories(db, pact.id),
    ]);
    const codes = [...new Set(entries.flatMap((e) => detailSkillCodes(e.detail)))];
    const skills = new Map(
      (await skillNames(db, codes)).map((s) => [s.code, { _: s.name, ...s.names }]),
    );
    const lang = res.locals.lang as string;
    res.render('pacts/audit', {
      title: req.t('pacts.tabTitle', { tab: req.t('pacts.audit.title'), pact: pact.title }),
      pact,
      tab: 'audit',
      entries: entries.map((e) => ({
        ...e,
        broken: !chain.ok && e.seq === chain.seq,
        eventText: eventText(e.event, req.t),
        detailText: detailText(e.detail, req.t, {
          lang,
          skills,
          actorOrgId: e.actor_org_id,
          event: e.event,
          removed: e.event === 'revision' ? removed.get(e.revision) : undefined,
        }),
      })),
      chain,
    });
  });

  return router;
}
