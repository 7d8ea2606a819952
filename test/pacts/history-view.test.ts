import { getI18n } from '../../src/http/i18n';
import { AUDIT_EVENTS } from '../../src/modules/pacts/audit';
import { detailText, eventText, reasonText } from '../../src/modules/pacts/history.view';

const it_ = getI18n().getFixedT('it');
const en = getI18n().getFixedT('en');

describe('reasonText', () => {
  it('puts the stored reasons into the reader’s language, keeping the names', () => {
    expect(reasonText('action added: Corso <IoT>', it_)).toBe('Azione aggiunta: «Corso <IoT>»');
    expect(reasonText('action added: Corso <IoT>', en)).toBe('Action added: “Corso <IoT>”');
    expect(reasonText('signatory invited: CGIL Firenze', it_)).toBe(
      'Firmatario invitato: CGIL Firenze',
    );
    expect(reasonText('amendment accepted (action_change)', en)).toBe(
      'Amendment accepted (action_change)',
    );
    expect(reasonText('amendment accepted (change_action)', it_)).toBe(
      "Emendamento accolto (Modifica di un'azione)",
    );
  });

  it('names the organisation that declined to sign', () => {
    expect(reasonText('signatory declined: CGIL Firenze', it_)).toBe(
      'Firmatario uscito (ha rinunciato a firmare): CGIL Firenze',
    );
    expect(reasonText('signatory declined: CGIL Firenze', en)).toBe(
      'Signatory left (declined to sign): CGIL Firenze',
    );
  });

  it('names the signatory a revision removed when the page knows it, else says it plainly', () => {
    expect(reasonText('signatory removed', it_, ['CGIL Firenze'])).toBe(
      'Firmatario rimosso: CGIL Firenze',
    );
    expect(reasonText('signatory removed', en, ['CGIL Firenze'])).toBe(
      'Signatory removed: CGIL Firenze',
    );
    expect(reasonText('signatory removed', it_)).toBe('Firmatario rimosso');
    expect(
      detailText({ reason: 'signatory removed', previous: 2 }, it_, {
        lang: 'it',
        event: 'revision',
        removed: ['CGIL Firenze'],
      }),
    ).toBe('Firmatario rimosso: CGIL Firenze · revisione precedente: 2');
  });

  it('names the new round of a pact reopened after a return', () => {
    expect(reasonText('reopened after return', it_)).toBe(
      'Negoziazione riaperta dopo il rinvio della Regione',
    );
  });

  it('leaves a reason it does not know as it is', () => {
    expect(reasonText('rinvio su richiesta della Regione', it_)).toBe(
      'rinvio su richiesta della Regione',
    );
  });
});

describe('eventText', () => {
  it('names every event the services record, in it and en', () => {
    // AUDIT_EVENTS is the type of appendAudit's event: the code cannot write any other.
    for (const event of AUDIT_EVENTS)
      for (const t of [it_, en]) expect([event, eventText(event, t)]).not.toEqual([event, event]);
    expect(eventText('amendment_accepted', it_)).toBe('Emendamento accolto');
    expect(eventText('amendment_declined', en)).toBe('Amendment declined');
    expect(eventText('signed', en)).toBe('Signature');
    expect(eventText('something_new', en)).toBe('something_new');
  });
});

describe('detailText', () => {
  it('shows a revision entry as its reason and a short hash, not as JSON', () => {
    const hash = 'ab'.repeat(32);
    expect(
      detailText({ hash, reason: 'action removed: Saldatura', previous: 3 }, it_, {
        lang: 'it',
        event: 'revision',
      }),
    ).toBe('Azione rimossa: «Saldatura» · revisione precedente: 3 · impronta: abababababab…');
  });

  it('reads each event in its chosen order, however the keys were stored', () => {
    const approve = {
      decisionId: '0f6597e2-1111-4222-8333-444455556666',
      remarks: 'Ridotta la seconda azione',
      approvedCents: 921600,
    };
    const outcome = {
      women: 9,
      zzz: 'x',
      spentCents: 230400,
      enrolled: 12,
      period: '2027-Q1',
      action: 'Corso IoT',
      extra: 1,
    };
    const reversed = (o: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(o).reverse());
    for (const detail of [approve, reversed(approve)])
      expect(detailText(detail, it_, { lang: 'it', event: 'approve' })).toBe(
        'importo approvato: 9.216,00\u00a0€ · osservazioni: Ridotta la seconda azione · decisione: 0f6597e2',
      );
    // Unknown keys last, alphabetically.
    for (const detail of [outcome, reversed(outcome)])
      expect(detailText(detail, en, { lang: 'en', event: 'outcome_reported' })).toBe(
        'action: Corso IoT · quarter: 2027-Q1 · enrolled: 12 · spent: €2,304.00 · Women: 9 · extra: 1 · zzz: x',
      );
  });

  it('shortens ids and skips empty values', () => {
    expect(
      detailText({ amendment: '0f6597e2-1111-4222-8333-444455556666', reason: undefined }, en, {
        lang: 'en',
      }),
    ).toBe('amendment: 0f6597e2');
    expect(detailText(null, en, { lang: 'en' })).toBe('');
  });
});
