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
      detailText({ reason: 'action removed: Saldatura', hash, previous: 3 }, it_, { lang: 'it' }),
    ).toBe('Azione rimossa: «Saldatura» · impronta: abababababab… · revisione precedente: 3');
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
