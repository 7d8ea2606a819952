import request from 'supertest';
import { testApp } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newPact } from '../pacts/factories';
import { pactScenario } from '../pacts/scenario';

/**
 * Text PostgreSQL cannot store: U+0000 anywhere, a lone UTF-16 surrogate in json/jsonb (the
 * decline's reason lands in the audit trail's jsonb). A browser's form never sends either; a
 * JSON client can. Found by the fuzzer as a 500 on declineToSign.
 */
describe('text that cannot be stored', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await newTestDb();
  });
  afterAll(() => t.close());

  it('is refused with a 400 before anything is written; a whole surrogate pair is text like any other', async () => {
    const s = await pactScenario(t.db);
    const pact = await newPact(t.db, {
      promoter: s.authority,
      status: 'negotiation',
      campaign: s.campaign.id,
      signatories: [s.employers.organisationId, s.union.organisationId],
    });
    const app = testApp(t);
    const token = await s.token(s.employers.id);
    const decline = (body: string) =>
      request(app)
        .post(`/api/v1/pacts/${pact.id}/decline`)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .set('Accept-Language', 'en')
        .send(body);
    const stillInvited = async () =>
      (
        await t.db
          .selectFrom('pact_signatories')
          .select('removed_at')
          .where('pact_id', '=', pact.id)
          .where('organisation_id', '=', s.employers.organisationId)
          .executeTakeFirstOrThrow()
      ).removed_at === null;
    const audit = async () =>
      (await t.db.selectFrom('pact_audit').select('seq').where('pact_id', '=', pact.id).execute())
        .length;
    const before = await audit();

    for (const reason of ['"Non firmiamo \\ud800"', '"\\udc00 no"', '"no\\u0000"']) {
      const res = await decline(`{"reason":${reason}}`);
      expect(res.status).toBe(400);
      expect(res.body.status).toBe(400);
      expect(res.body.detail).toBe(
        'The request holds characters that cannot be stored (the NUL character, or half of a UTF-16 surrogate pair): remove them and try again.',
      );
      expect(await stillInvited()).toBe(true);
      expect(await audit()).toBe(before);
    }

    const ok = await decline('{"reason":"Non firmiamo \\ud83d\\ude00"}');
    expect(ok.status).toBe(200);
    expect(await stillInvited()).toBe(false);
  });
});
