import { sql } from 'kysely';
import { testApp, loginAs } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { adminUrl } from '../helpers/mode';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { postStep, reachNeeds } from './flow';
import { needLine, needsBody, newCampaign, newFirmUser } from './helpers';
import * as repo from '../../src/modules/survey/responses.repository';
import { submissionOf, submitResponse } from '../../src/modules/survey/responses.service';

/**
 * A firm's own submission reads unlocked and writes through survey_submission_checked, which
 * writes only if the draft and the campaign are still as read; otherwise the submission goes
 * through the locked transaction, which says what changed.
 */
let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

/** A firm whose draft is complete and ready to submit, and what the unlocked read finds. */
async function readyToSubmit() {
  const { id } = await newCampaign(t.db);
  const firm = await newFirmUser(t.db, 40);
  const agent = await loginAs(testApp(t), firm.email, PASSWORD);
  await reachNeeds(agent, t.db, id, firm.organisationId);
  await postStep(agent, `/survey/${id}/step/3`, { action: 'next', ...needsBody([needLine()]) });
  const read = await repo.lockForSubmit(t.db, id, firm.organisationId, [], false);
  const version = read!.draft.version;
  const s = submissionOf(read, { user: firm, firmId: firm.organisationId, version });
  const write = () => repo.writeSubmissionChecked(t.db, s.row, s.lines, s.draft, s.campaign);
  return { id, firm, version, write };
}

const state = async (campaignId: string, firmId: string) => ({
  responses: await t.db
    .selectFrom('responses')
    .select(['version', 'status'])
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .execute(),
  draft: await t.db
    .selectFrom('response_drafts')
    .select(['state', 'version'])
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .executeTakeFirstOrThrow(),
  queued: Number(
    (
      await sql<{ n: string }>`
        SELECT count(*) AS n FROM need_changes c JOIN responses r ON r.id = c.response_id
        WHERE r.campaign_id = ${campaignId} AND r.firm_id = ${firmId}`.execute(t.db)
    ).rows[0]!.n,
  ),
});

describe('survey_submission_checked', () => {
  it('writes the version when the draft and the campaign are as read', async () => {
    const { id, firm, version, write } = await readyToSubmit();
    expect(await write()).toBe(1);
    const after = await state(id, firm.organisationId);
    expect(after.responses).toEqual([{ version: 1, status: 'current' }]);
    expect(after.draft).toEqual({ state: 'submitted', version: version + 1 });
    expect(after.queued).toBe(1);
  });

  it('writes nothing when the draft was saved again meanwhile', async () => {
    const { id, firm, version, write } = await readyToSubmit();
    await t.db
      .updateTable('response_drafts')
      .set({ version: version + 1 })
      .where('campaign_id', '=', id)
      .where('firm_id', '=', firm.organisationId)
      .execute();
    expect(await write()).toBeNull();
    const after = await state(id, firm.organisationId);
    expect(after).toEqual({
      responses: [],
      draft: { state: 'editing', version: version + 1 },
      queued: 0,
    });
    // The transaction tells the firm its form is stale.
    await expect(submitResponse(t.db, firm, id, version)).rejects.toMatchObject({
      messageKey: 'survey.errors.stale',
    });
  });

  it('writes nothing when the region closed the campaign meanwhile', async () => {
    const { id, firm, version, write } = await readyToSubmit();
    await t.db
      .updateTable('campaigns')
      .set({ status: 'closed', closed_at: new Date() })
      .where('id', '=', id)
      .execute();
    expect(await write()).toBeNull();
    expect(await state(id, firm.organisationId)).toEqual({
      responses: [],
      draft: { state: 'editing', version },
      queued: 0,
    });
    await expect(submitResponse(t.db, firm, id, version)).rejects.toMatchObject({
      messageKey: 'campaigns.errors.notAccepting.closed',
    });
  });

  it("writes nothing when the campaign's dates changed meanwhile", async () => {
    const { id, firm, version, write } = await readyToSubmit();
    await sql`UPDATE campaigns SET closes_at = closes_at + 7 WHERE id = ${id}`.execute(t.db);
    expect(await write()).toBeNull();
    expect((await state(id, firm.organisationId)).responses).toEqual([]);
    // Still open: the transaction submits.
    await expect(submitResponse(t.db, firm, id, version)).resolves.toMatchObject({ version: 1 });
  });
});

// Two backends: the embedded database has one, so a lock held on one connection cannot make
// another wait.
const server = adminUrl();
if (!server)
  console.warn('submit-checked race tests skipped: they need two backends (TEST_DATABASE_URL)');
const describeOnServer = server ? describe : describe.skip;

describeOnServer('a change between the read and the checked write', () => {
  /** Runs `submit` while another transaction holds the draft, then makes `change` and commits. */
  async function raced(
    campaignId: string,
    firmId: string,
    submit: () => Promise<unknown>,
    change: string,
  ) {
    let outcome: Promise<unknown> | undefined;
    await t.db.transaction().execute(async (tx) => {
      await sql`SELECT 1 FROM response_drafts WHERE campaign_id = ${campaignId}
        AND firm_id = ${firmId} FOR UPDATE`.execute(tx);
      outcome = submit().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      // The submission has read (unlocked) and now waits for the draft in its checked write.
      for (let i = 0; ; i++) {
        // pg_stat_activity is read once per transaction unless its snapshot is cleared.
        await sql`SELECT pg_stat_clear_snapshot()`.execute(tx);
        const { rows } = await sql<{ n: string }>`
          SELECT count(*) AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE '%survey_submission_checked%'`.execute(tx);
        if (Number(rows[0]!.n) > 0) break;
        if (i > 200) throw new Error('the submission never waited for the draft');
        await new Promise((r) => setTimeout(r, 25));
      }
      await sql.raw(change).execute(tx);
    });
    return outcome!;
  }

  it('a draft saved in another tab: the firm is told its form is stale', async () => {
    const { id, firm, version } = await readyToSubmit();
    const outcome = await raced(
      id,
      firm.organisationId,
      () => submitResponse(t.db, firm, id, version),
      `UPDATE response_drafts SET version = version + 1
       WHERE campaign_id = '${id}' AND firm_id = '${firm.organisationId}'`,
    );
    expect(outcome).toMatchObject({ error: { messageKey: 'survey.errors.stale' } });
    expect((await state(id, firm.organisationId)).responses).toEqual([]);
  });

  it('the campaign closed by the region: the firm is told, nothing is written', async () => {
    const { id, firm, version } = await readyToSubmit();
    const outcome = await raced(
      id,
      firm.organisationId,
      () => submitResponse(t.db, firm, id, version),
      `UPDATE campaigns SET status = 'closed', closed_at = now() WHERE id = '${id}'`,
    );
    expect(outcome).toMatchObject({
      error: { messageKey: 'campaigns.errors.notAccepting.closed' },
    });
    expect(await state(id, firm.organisationId)).toMatchObject({ responses: [], queued: 0 });
  });

  it("the campaign's end moved later: the submission goes through", async () => {
    const { id, firm, version } = await readyToSubmit();
    const outcome = await raced(
      id,
      firm.organisationId,
      () => submitResponse(t.db, firm, id, version),
      `UPDATE campaigns SET closes_at = closes_at + 7 WHERE id = '${id}'`,
    );
    expect(outcome).toMatchObject({ value: { version: 1 } });
    expect((await state(id, firm.organisationId)).responses).toEqual([
      { version: 1, status: 'current' },
    ]);
  });
});
