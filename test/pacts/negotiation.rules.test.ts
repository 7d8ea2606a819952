import fc from 'fast-check';
import {
  amendmentDiff,
  applicability,
  changedFields,
} from '../../src/modules/pacts/amendments.fields';
import { blocking, evaluateAgreement } from '../../src/modules/pacts/signatures.rules';

const action = {
  title: 'Robotica di base',
  description: '',
  skills: ['F40.a'],
  participants: 5,
  hours: 40,
  modality: 'classroom',
  eqfLevel: 4,
  period: '2027-Q1',
  provider: null,
};

describe('evaluateAgreement', () => {
  const sig = (
    partnerType: string | null,
    signedCurrent: boolean,
    id = Math.random().toString(),
  ) => ({
    id,
    partnerType,
    signedCurrent,
  });

  it('agrees only when all invited signed and an employer association and a union are among them', () => {
    expect(
      evaluateAgreement([sig('employer_association', true), sig('trade_union', true)]).agreed,
    ).toBe(true);
    const noUnion = evaluateAgreement([sig('employer_association', true), sig(null, true)]);
    expect(noUnion).toMatchObject({
      allSigned: true,
      parity: false,
      agreed: false,
      unionInvited: false,
    });
    const missing = evaluateAgreement([
      sig('employer_association', true),
      sig('trade_union', false, 'u'),
    ]);
    expect(missing).toMatchObject({
      allSigned: false,
      missing: ['u'],
      hasUnion: false,
      unionInvited: true,
    });
    expect(evaluateAgreement([]).agreed).toBe(false);
  });

  it('never agrees with a signature missing, whatever the mix (property)', () => {
    const types = fc.constantFrom(
      'employer_association',
      'trade_union',
      'chamber_of_commerce',
      null,
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ partnerType: types, signedCurrent: fc.boolean() }), { maxLength: 8 }),
        (rows) => {
          const a = evaluateAgreement(rows.map((r, i) => ({ ...r, id: String(i) })));
          const expected =
            rows.length > 0 &&
            rows.every((r) => r.signedCurrent) &&
            rows.some((r) => r.partnerType === 'employer_association') &&
            rows.some((r) => r.partnerType === 'trade_union');
          expect(a.agreed).toBe(expected);
        },
      ),
    );
  });

  it('lists what blocks agreement', () => {
    const a = evaluateAgreement([sig('employer_association', true), sig('trade_union', false)]);
    const b = blocking(
      a,
      [{ position: 'object' }, { position: 'object' }, { position: 'agree' }],
      1,
    );
    expect(b).toMatchObject({
      objections: 2,
      openAmendments: 1,
      missingSignatures: 1,
      noUnion: true,
      none: false,
    });
  });

  it('lets nothing block a pact every signatory signed: objections and open proposals stand', () => {
    const a = evaluateAgreement([sig('employer_association', true), sig('trade_union', true)]);
    expect(a.agreed).toBe(true);
    expect(blocking(a, [{ position: 'object' }], 1)).toMatchObject({
      objections: 0,
      openAmendments: 0,
      none: true,
    });
  });
});

describe('applicability', () => {
  it('applies a stale proposal when the fields it changes did not move', () => {
    const proposal = { ...action, hours: 60 };
    const current = { ...action, title: 'Renamed meanwhile' };
    const r = applicability('change_action', action, proposal, current);
    expect(r).toEqual({ ok: true, fields: { ...current, hours: 60 } });
  });

  it('is outdated when a changed field moved, or the action is gone', () => {
    const r = applicability(
      'change_action',
      action,
      { ...action, hours: 60 },
      { ...action, hours: 50 },
    );
    expect(r).toEqual({ ok: false, reason: 'fieldsChanged', fields: ['hours'] });
    expect(applicability('remove_action', action, {}, null)).toMatchObject({
      reason: 'targetGone',
    });
    expect(applicability('remove_action', action, {}, { ...action, hours: 41 })).toMatchObject({
      reason: 'fieldsChanged',
    });
    expect(applicability('add_action', {}, action, null)).toEqual({ ok: true, fields: action });
  });

  it('treats skills as a set', () => {
    expect(
      changedFields(
        'change_action',
        { ...action, skills: ['a', 'b'] },
        { ...action, skills: ['b', 'a'] },
      ),
    ).toEqual([]);
  });
});

describe('amendmentDiff', () => {
  it('diffs word by word against the current text, only the fields changed', () => {
    const d = amendmentDiff(
      'change_action',
      action,
      { ...action, title: 'Robotica collaborativa di base', hours: 60 },
      action,
    );
    expect(d.map((x) => x.field)).toEqual(['title', 'hours']);
    expect(d[0]!.parts).toEqual([
      { value: 'Robotica ' },
      { value: 'collaborativa ', added: true },
      { value: 'di base' },
    ]);
    expect(d[1]!.parts).toEqual([
      { value: '40', removed: true },
      { value: '60', added: true },
    ]);
  });

  it('shows a removal as all deleted and an addition as all inserted', () => {
    const removed = amendmentDiff('remove_action', action, {}, action);
    expect(removed.every((f) => f.parts.every((p) => p.removed))).toBe(true);
    const added = amendmentDiff('add_action', {}, action, null);
    expect(added.every((f) => f.parts.every((p) => p.added))).toBe(true);
  });
});
