import { sql } from 'kysely';
import { foldNeeds } from '../../src/modules/needs/aggregate';
import { startNeedsFolder } from '../../src/modules/needs/fold-worker';
import { needsAggregate } from '../../src/modules/needs/needs.service';
import { createLogger } from '../../src/logger';
import { newTestDb, type TestDb } from '../helpers/test-db';
import {
  importAnswers,
  newCampaign,
  newFirm,
  submitVersion,
  withdraw,
  type FirmAnswer,
} from './factories';
import { maintained, recomputed } from './oracle';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const answer = (territory: string, workers: number): FirmAnswer => ({
  territory,
  sector: 0,
  employees: 200,
  lines: [
    { skill: 0, occupation: 0, eqf: 4, workers, priority: 'high', period: '2027-Q1' },
    { skill: 2, occupation: 1, eqf: 5, workers: 1, priority: 'low', period: '2027-Q2' },
  ],
});

const pending = async (campaignId: string) =>
  (
    await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM need_changes WHERE campaign_id = ${campaignId}`.execute(t.db)
  ).rows[0]!.n;

const totalCell = (campaignId: string) =>
  t.db
    .selectFrom('need_cells')
    .select(['firms', 'workers'])
    .where('campaign_id', '=', campaignId)
    .where('territory_code', '=', '048017')
    .where('dim', '=', 'total')
    .where('priority', '=', '*')
    .where('period', '=', '*')
    .executeTakeFirst();

describe('pending changes of the needs aggregate', () => {
  it('are queued by a submission and folded by the first reader, before it reads', async () => {
    const campaign = await newCampaign(t.db);
    const firm = await newFirm(t.db, '048017');
    await submitVersion(t.db, campaign.id, firm, campaign.region.id, answer('048017', 7));
    // The submission only appended its change: the cells do not know it yet.
    expect(await pending(campaign.id)).toBe(1);
    expect(await totalCell(campaign.id)).toBeUndefined();

    const read = await needsAggregate(t.db, campaign.region, {
      campaignId: campaign.id,
      territory: '048017',
      by: 'skill',
      priority: '*',
      period: '*',
    });
    expect(read.cells.find((c) => c.territory === '048017' && c.value === '*')).toMatchObject({
      firms: 1,
      workers: 8,
    });
    expect(await pending(campaign.id)).toBe(0);
    expect(await totalCell(campaign.id)).toEqual({ firms: 1, workers: 8 });
    // Nothing pending: a fold takes nothing and changes nothing.
    expect(await foldNeeds(t.db, campaign.id)).toBe(0);
  });

  it('cancel out when a version is added and removed before any fold', async () => {
    const campaign = await newCampaign(t.db);
    const firm = await newFirm(t.db, '048017');
    await submitVersion(t.db, campaign.id, firm, campaign.region.id, answer('048017', 3));
    await submitVersion(t.db, campaign.id, firm, campaign.region.id, answer('048017', 5));
    await withdraw(t.db, campaign.id, firm, campaign.region.id);
    // Version 1 added and removed, version 2 added and removed: four changes, net nothing.
    expect(await pending(campaign.id)).toBe(4);
    expect(await foldNeeds(t.db, campaign.id)).toBe(4);
    expect(await totalCell(campaign.id)).toBeUndefined();
    expect(await maintained(t.db, campaign.id)).toEqual(await recomputed(t.db, campaign.id));
  });

  it('are folded for every campaign by the background folder', async () => {
    const a = await newCampaign(t.db);
    const b = await newCampaign(t.db);
    for (const c of [a, b])
      await submitVersion(
        t.db,
        c.id,
        await newFirm(t.db, '048017'),
        c.region.id,
        answer('048017', 2),
      );
    const folder = startNeedsFolder({
      db: t.db,
      logger: createLogger('silent', false),
      intervalMs: 60_000,
    });
    try {
      expect(await folder.tick()).toBeGreaterThanOrEqual(2);
    } finally {
      await folder.stop();
    }
    expect(await pending(a.id)).toBe(0);
    expect(await pending(b.id)).toBe(0);
    expect(await totalCell(a.id)).toEqual({ firms: 1, workers: 3 });
    expect(await totalCell(b.id)).toEqual({ firms: 1, workers: 3 });
  });

  it('stay exact when submissions, amendments and folds of one comune run at once', async () => {
    const campaign = await newCampaign(t.db);
    const firms: string[] = [];
    for (let i = 0; i < 12; i++) firms.push(await newFirm(t.db, '048017'));
    const user = campaign.region.id;
    // Each firm submits then amends; folds race with them from other connections.
    await Promise.all([
      ...firms.map(async (f, i) => {
        await submitVersion(t.db, campaign.id, f, user, answer('048017', 1 + i));
        await submitVersion(t.db, campaign.id, f, user, answer('048017', 20 - i));
      }),
      ...Array.from({ length: 6 }, () => foldNeeds(t.db, campaign.id)),
    ]);
    expect(await maintained(t.db, campaign.id)).toEqual(await recomputed(t.db, campaign.id));
    expect(await totalCell(campaign.id)).toEqual({
      firms: 12,
      workers: firms.reduce((s, _f, i) => s + 21 - i, 0),
    });
  });

  it('stay exact when a fold sums whole territories again (an import of hundreds)', async () => {
    const campaign = await newCampaign(t.db);
    const user = campaign.region.id;
    const places = ['048017', '048014', '100005'];
    // A few answers folded one by one first, then 300 imported at once (beside them).
    const early: string[] = [];
    for (let i = 0; i < 6; i++) {
      early.push(await newFirm(t.db, places[i % 3]!));
      await submitVersion(t.db, campaign.id, early[i]!, user, answer(places[i % 3]!, 1 + i));
    }
    expect(await foldNeeds(t.db, campaign.id)).toBe(6);
    const firms: string[] = [];
    for (let i = 0; i < 300; i++) firms.push(await newFirm(t.db, places[i % 3]!));
    await importAnswers(
      t.db,
      campaign.id,
      user,
      firms.map((firmId, i) => ({ firmId, answer: answer(places[i % 3]!, 1 + (i % 17)) })),
    );
    await withdraw(t.db, campaign.id, early[0]!, user);
    expect(await foldNeeds(t.db, campaign.id)).toBe(301);
    expect(await maintained(t.db, campaign.id)).toEqual(await recomputed(t.db, campaign.id));
    const total = await t.db
      .selectFrom('need_cells')
      .select((eb) => eb.fn.sum<number>('firms').as('firms'))
      .where('campaign_id', '=', campaign.id)
      .where('dim', '=', 'total')
      .where('priority', '=', '*')
      .where('period', '=', '*')
      .executeTakeFirstOrThrow();
    expect(Number(total.firms)).toBe(305);
  });
});
