import crypto from 'node:crypto';
import type { Db } from '../../src/db';
import type { SessionUser } from '../../src/http/types';
import { italianCheckDigit } from '../../src/lib/vat';
import { firmProfileSchema } from '../../src/modules/firms/firms.schemas';
import { updateMyFirm } from '../../src/modules/firms/firms.service';
import { addDaysTo, romeToday } from '../../src/modules/survey/calendar';
import { createCampaign, transitionCampaign } from '../../src/modules/survey/campaigns.service';
import { quarterFromNow } from '../helpers/dates';
import { newUser } from '../helpers/factories';

/** A fresh, valid Italian partita IVA. */
export function newVat(): string {
  const first = `1${crypto.randomInt(0, 1e9).toString().padStart(9, '0')}`;
  return `${first}${italianCheckDigit(first)}`;
}

export const addDays = addDaysTo;

/** A region user's campaign over Tuscany (F40 + DC1), opened unless `open: false`. */
export async function newCampaign(
  db: Db,
  options: {
    region?: SessionUser;
    territory?: string;
    areas?: string[];
    readiness?: boolean;
    open?: boolean;
    opensAt?: string;
    closesAt?: string;
  } = {},
) {
  const region = options.region ?? (await newUser(db, { role: 'region' }));
  const today = romeToday();
  const id = await createCampaign(db, region, {
    title: `Indagine ${crypto.randomBytes(3).toString('hex')}`,
    territoryCode: options.territory ?? 'ITI1',
    opensAt: options.opensAt ?? addDays(today, -1),
    closesAt: options.closesAt ?? addDays(today, 60),
    skillAreas: options.areas ?? ['F40', 'DC1'],
    readiness: options.readiness ?? true,
  });
  if (options.open !== false) await transitionCampaign(db, region, id, 'open');
  return { id, region };
}

export const profile = () => ({
  legalName: 'Meccanica Test S.r.l.',
  vatNumber: newVat(),
  naceDivision: '25',
  employees: 40,
  territoryCode: '048014',
  contactName: 'Giulia Conti',
  contactEmail: 'giulia@test.patto',
  contactPhone: '+39 0571 123456',
});

/** A firm user whose profile is complete (40 employees, Empoli). */
export async function newFirmUser(db: Db, employees = 40) {
  const user = await newUser(db, { role: 'firm' });
  await updateMyFirm(db, user, firmProfileSchema.parse({ ...profile(), employees }));
  return user;
}

export const readinessForm = {
  strategy: '3',
  readiness: '2',
  human: '4',
  data: '3',
  automation: '1',
  green: '2',
  technologies: ['cloud', 'cyber_security'],
};

export function needLine(overrides: Record<string, string> = {}) {
  return {
    skill: 'F40.a',
    occupation: '31',
    workers: '5',
    eqf: '4',
    priority: 'high',
    modality: 'blended',
    period: quarterAhead(1),
    note: '',
    ...overrides,
  };
}

export const quarterAhead = quarterFromNow;

/** A form body with need lines in the names the page uses: needs[i][field]. */
export function needsBody(lines: Record<string, string>[]): Record<string, string> {
  const body: Record<string, string> = {};
  lines.forEach((l, i) => {
    for (const [k, v] of Object.entries(l)) body[`needs[${i}][${k}]`] = v;
  });
  return body;
}

/** The version a questionnaire page carries in its hidden field. */
export function versionOf(html: string): string {
  const m = /name="version" value="(\d+)"/.exec(html);
  if (!m) throw new Error('no version field on the page');
  return m[1]!;
}
