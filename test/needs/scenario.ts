import type { Db } from '../../src/db';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { newUser } from '../helpers/factories';
import { newCampaign, newFirm, submitVersion, type NeedLine } from './factories';

const line = (skill: number, workers: number, extra: Partial<NeedLine> = {}): NeedLine => ({
  skill,
  occupation: 0,
  eqf: 4,
  workers,
  priority: 'high',
  period: '2027-Q1',
  ...extra,
});

/**
 * A Tuscan campaign (k = 3): Firenze (048017) with five firms, Bagno a Ripoli (048001) with four,
 * Fiesole (048015) with one (sensitive everywhere), Prato (100005) with three; a local authority
 * of the province of Firenze, a region user, and API tokens for both.
 */
export async function tuscanScenario(db: Db) {
  const campaign = await newCampaign(db, { territory: 'ITI1' });
  const user = campaign.region.id;
  const answers: [string, number, number, NeedLine[]][] = [
    ['048017', 0, 20, [line(0, 6), line(2, 3)]],
    ['048017', 1, 30, [line(0, 4), line(1, 2, { priority: 'low' })]],
    ['048017', 2, 120, [line(0, 5), line(3, 7)]],
    ['048017', 0, 8, [line(0, 3)]],
    ['048017', 3, 60, [line(2, 4), line(0, 2, { period: '2027-Q2' })]],
    ['048001', 0, 25, [line(0, 4)]],
    ['048001', 1, 25, [line(0, 5), line(2, 2)]],
    ['048001', 1, 40, [line(0, 3)]],
    ['048001', 2, 300, [line(3, 9), line(0, 1)]],
    ['048015', 0, 12, [line(0, 11), line(4, 2)]],
    ['100005', 1, 15, [line(0, 2)]],
    ['100005', 2, 15, [line(0, 3)]],
    ['100005', 3, 15, [line(0, 4), line(3, 1)]],
  ];
  for (const [place, sector, employees, lines] of answers) {
    const firm = await newFirm(db, place);
    await submitVersion(db, campaign.id, firm, user, {
      territory: place,
      sector,
      employees,
      lines,
    });
  }
  const authority = await newUser(db, { role: 'local_authority', territory: 'ITI14' });
  const region = campaign.region;
  return {
    campaign,
    authority,
    region,
    authorityToken: (await createApiToken(db, authority.id, 'test')).token,
    regionToken: (await createApiToken(db, region.id, 'test')).token,
  };
}
