import { dashboardTable } from '../../src/modules/dashboard/dashboard.view';
import type { DashboardFigures } from '../../src/modules/dashboard/dashboard.figures';
import type { Dashboard } from '../../src/modules/dashboard/dashboard.service';

const figures = (territory: string): DashboardFigures => ({
  territory,
  firmsSurveyed: 0,
  workersInNeed: { value: 0, suppressed: false },
  workersCovered: 0,
  coveragePercent: { suppressed: false },
  committedCents: 0,
  spentCents: 0,
  enrolled: 0,
  completed: 0,
  completionPercent: null,
  costPerTrainedCents: null,
});

const place = (code: string, name: string, names: Record<string, string> = {}) => ({
  code,
  parent_code: 'ITI14',
  level: 'LAU',
  name,
  names,
  children: 0,
  figures: figures(code),
});

// The rows arrive in the database's order of the stored name (byte order on the embedded
// database): capitals first, and the Italian name whatever the reader's language.
const dashboard = {
  campaign: { id: 'c' },
  territory: 'ITI14',
  path: [{ code: 'ITI14', level: 'NUTS3', name: 'Firenze', names: { en: 'Florence' } }],
  rows: [
    place('048054', 'Barberino Tavarnelle'),
    place('048002', 'Barberino di Mugello'),
    place('048017', 'Firenze', { en: 'Florence' }),
    place('048018', 'Firenzuola'),
    place('048036', "Rignano sull'Arno"),
  ],
  total: figures('ITI14'),
  ctx: { period: null },
} as unknown as Dashboard;

describe('the dashboard table', () => {
  const links = { needs: true, pacts: true };

  it('lists the territories in alphabetical order as an Italian reader reads them', () => {
    const names = dashboardTable(dashboard, 'it', links).rows.map((r) => r.name);
    expect(names).toEqual([
      'Barberino di Mugello',
      'Barberino Tavarnelle',
      'Firenze',
      'Firenzuola',
      "Rignano sull'Arno",
    ]);
  });

  it('orders by the name shown in English, not by the stored Italian one', () => {
    const names = dashboardTable(dashboard, 'en', links).rows.map((r) => r.name);
    expect(names).toEqual([
      'Barberino di Mugello',
      'Barberino Tavarnelle',
      'Firenzuola',
      'Florence',
      "Rignano sull'Arno",
    ]);
  });
});
