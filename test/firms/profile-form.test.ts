import { loginAs, submitForm, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newFirmUser, profile } from '../survey/helpers';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const form = (change: Record<string, string>) => {
  const p = profile();
  return {
    legalName: p.legalName,
    vatNumber: p.vatNumber,
    naceDivision: p.naceDivision,
    employees: '40',
    territoryCode: p.territoryCode,
    contactName: p.contactName,
    contactEmail: p.contactEmail,
    ...change,
  };
};

describe('POST /firm/profile', () => {
  it.each([
    ['an address that is no e-mail', 'contactEmail', 'mario.rossi', 'ad esempio nome@esempio.it'],
    ['an over-long phone', 'contactPhone', '0'.repeat(31), 'Inserisci al massimo 30 caratteri'],
    ['no sector chosen', 'naceDivision', '', 'Campo obbligatorio'],
    ['no territory chosen', 'territoryCode', '', 'Campo obbligatorio'],
    // A sole trader knows its owner's codice fiscale by heart: it was told only "11 cifre".
    [
      "the owner's codice fiscale",
      'vatNumber',
      'RSSMRA80A01D612Z',
      'Questo è un codice fiscale di persona: inserisci la partita IVA',
    ],
  ])('says what is wrong with %s next to the field, keeping it', async (_w, field, typed, says) => {
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const res = await submitForm(agent, '/firm/profile', form({ [field]: typed }));
    expect(res.status).toBe(422);
    expect(res.text).toMatch(new RegExp(`id="error-${field}"[^>]*>[^<]*${says}`));
    expect(res.text).toContain(`value="${typed}"`);
  });
});
