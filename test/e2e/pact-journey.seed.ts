import type { Db } from '../../src/db';
import { newCall } from '../funding/helpers';
import { newUser, PASSWORD } from '../helpers/factories';
import { newFirm, submitVersion } from '../needs/factories';
import { newCampaign, newFirmUser } from '../survey/helpers';

/** Workers each of the other firms declared for F40.a, and how many such firms there are. */
export const OTHER_FIRMS = 3;
export const OTHER_WORKERS = 4;

/**
 * What the browser journey starts from, made server side through the factories: a region (ITI1)
 * with an open campaign over Tuscany and an open funding call; a firm user of Empoli (048014)
 * that has not answered yet, and three other firms of Empoli that declared 4 workers each for
 * F40.a, so that with the firm's own answer the cell has four firms and is published to the
 * local authority (k = 3); the authority of the metropolitan city (ITI14) and two social
 * partners, an employer association and a trade union (the parity rule needs one of each).
 * `n` keeps the organisations' names apart when the journey runs more than once.
 */
export async function seedPactJourney(db: Db, n: number) {
  const region = await newUser(db, {
    role: 'region',
    territory: 'ITI1',
    organisation: `Regione Toscana ${n}`,
  });
  const campaign = await newCampaign(db, { region, territory: 'ITI1', areas: ['F40', 'DC1'] });
  const firm = await newFirmUser(db);
  for (let i = 0; i < OTHER_FIRMS; i++) {
    const other = await newFirm(db, '048014');
    await submitVersion(db, campaign.id, other, region.id, {
      territory: '048014',
      sector: 0,
      employees: 30,
      lines: [
        {
          skill: 0, // F40.a
          occupation: 3, // ISCO 31
          eqf: 4,
          workers: OTHER_WORKERS,
          priority: 'high',
          period: '2027-Q1',
        },
      ],
    });
  }
  const authority = await newUser(db, {
    role: 'local_authority',
    territory: 'ITI14',
    organisation: `Città Metropolitana di Firenze ${n}`,
  });
  const employers = await newUser(db, {
    role: 'social_partner',
    partnerType: 'employer_association',
    territory: 'ITI1',
    organisation: `Confindustria Toscana ${n}`,
  });
  const union = await newUser(db, {
    role: 'social_partner',
    partnerType: 'trade_union',
    territory: 'ITI14',
    organisation: `CGIL Firenze ${n}`,
  });
  const call = await newCall(db, region, { territory: 'ITI1' });
  return { region, campaignId: campaign.id, firm, authority, employers, union, call, PASSWORD };
}

export type JourneySeed = Awaited<ReturnType<typeof seedPactJourney>>;
