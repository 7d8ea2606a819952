import { Readable } from 'node:stream';
import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { italianCheckDigit } from '../../lib/vat';
import { importResponses } from './bulk-import.service';
import { plannableQuarters, romeToday } from './calendar';

/** How many made-up firms answer the demo campaign (enough for most cells to pass k = 3). */
export const DEMO_FIRMS = 60;

// The industrial comuni of the Florence–Prato area, where the demo firms are.
const DEMO_COMUNI = [
  '048005',
  '048006',
  '048014',
  '048017',
  '048041',
  '048043',
  '100003',
  '100005',
];

const NAMES = [
  'Officine',
  'Tessitura',
  'Meccanica',
  'Pelletteria',
  'Logistica',
  'Elettronica',
  'Stampa 3D',
  'Lanificio',
  'Automazioni',
];
const PLACES = ['Arno', 'Bisenzio', 'Mugello', 'Chianti', 'Valdelsa', 'Calvana', 'Sieve'];
const DIVISIONS = ['13', '14', '15', '25', '26', '28', '46', '62'];
// Most demand on a few skills, so a territory's cells hold several firms, as in a real survey.
const SKILLS = ['F40.a', 'F40.c', 'F40.l', 'F40.g', 'DC3.1', 'DC4.1', 'F40.e'];
const OCCUPATIONS = ['21', '25', '31', '35', '72', '74', '81'];

/** A small deterministic generator (mulberry32): the demo is the same on every machine. */
function sequence(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) | 0;
  };
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[;"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * The demo campaign's answers as a bulk-import file (docs/BULK-IMPORT.md): firms spread over the
 * comuni of Florence and Prato, each with a readiness self-assessment and one to three need lines.
 */
export function demoResponsesCsv(comuni: readonly string[], today = romeToday()): string {
  const pick = sequence(2026);
  const quarters = plannableQuarters(today, 4);
  const header = [
    'vat_number',
    'legal_name',
    'nace_division',
    'employees',
    'comune',
    'contact_name',
    'contact_email',
    'strategy',
    'readiness',
    'human',
    'data',
    'automation',
    'green',
    'technologies',
    'skill',
    'occupation',
    'workers',
    'eqf',
    'priority',
    'modality',
    'period',
  ];
  const rows: string[] = [header.join(';')];
  for (let i = 0; i < DEMO_FIRMS; i++) {
    const first10 = `0${String(7_300_000 + i * 37).padStart(7, '0')}48`.slice(0, 10);
    const vat = `${first10}${italianCheckDigit(first10)}`;
    const name = `${NAMES[i % NAMES.length]} ${PLACES[pick(PLACES.length)]} ${i + 1} S.r.l.`;
    const employees = [6, 12, 18, 25, 40, 60, 95, 140][pick(8)]!;
    const firm = [
      vat,
      name,
      DIVISIONS[pick(DIVISIONS.length)]!,
      employees,
      comuni[pick(comuni.length)]!,
      'Referente formazione',
      `formazione${i + 1}@demo.patto.test`,
      ...Array.from({ length: 6 }, () => 1 + pick(4)),
      ['iot', 'cloud|big_data', 'advanced_manufacturing', ''][pick(4)]!,
    ];
    const skills = new Set<string>();
    const lines = 1 + pick(3);
    for (let l = 0; l < lines; l++) {
      const skill = SKILLS[pick(SKILLS.length)]!;
      if (skills.has(skill)) continue;
      skills.add(skill);
      rows.push(
        [
          ...firm,
          skill,
          OCCUPATIONS[pick(OCCUPATIONS.length)]!,
          1 + pick(Math.min(employees, 8)),
          3 + pick(4),
          ['high', 'medium', 'low'][pick(3)]!,
          ['classroom', 'online', 'blended', 'on_the_job'][pick(4)]!,
          quarters[pick(quarters.length)]!,
        ]
          .map(csvCell)
          .join(';'),
      );
    }
  }
  return rows.join('\r\n') + '\r\n';
}

/**
 * Answers for the demo campaign, imported through the region's bulk import (the same checks and
 * aggregate upkeep as any import). Only while the campaign has no answer yet: idempotent.
 */
export async function seedDemoResponses(db: Db, region: SessionUser, campaignId: string) {
  const answered = await db
    .selectFrom('responses')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .limit(1)
    .executeTakeFirst();
  if (answered) return;
  const comuni = (
    await db
      .selectFrom('territories')
      .select('code')
      .where('code', 'in', DEMO_COMUNI)
      .where('valid_to', 'is', null)
      .orderBy('code')
      .execute()
  ).map((r) => r.code);
  if (comuni.length === 0) return;
  const result = await importResponses(
    db,
    region,
    campaignId,
    Readable.from([Buffer.from(demoResponsesCsv(comuni))]),
  );
  if (result.problems.length)
    throw new Error(`demo responses refused: ${JSON.stringify(result.problems.slice(0, 3))}`);
}
