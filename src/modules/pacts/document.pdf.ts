import PDFDocument from 'pdfkit';
import type { PactDocument } from './document.service';

type T = (key: string, params?: Record<string, unknown>) => string;

/**
 * The PDF's built-in Helvetica covers Windows-1252 (WinAnsi): Italian, French, Spanish, German
 * letters, €, «», dashes. Anything else (Polish ł, Romanian ș — partner regions' names) is
 * written without its accent rather than as a wrong glyph.
 */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
/** Letters NFD does not decompose. */
const PLAIN: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', ı: 'i', Ħ: 'H', ħ: 'h' };
export function pdfText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (
      (c >= 0x20 && c <= 0x7e) ||
      (c >= 0xa0 && c <= 0xff) ||
      WIN_ANSI_EXTRA.has(ch) ||
      ch === '\n'
    )
      out += ch;
    else if (/\s/.test(ch))
      out += ' '; // narrow no-break spaces of Intl number formats
    else if (PLAIN[ch]) out += PLAIN[ch];
    else {
      const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += [...base].every((b) => b.codePointAt(0)! <= 0xff) && base ? base : '?';
    }
  }
  return out;
}

/** Writes the pact document as a PDF into `out` (a response: it streams). */
export function writePactPdf(
  doc: PactDocument,
  out: NodeJS.WritableStream,
  t: T,
  fmt: { money: (cents: number) => string; date: (d: Date) => string },
  options: { compress?: boolean } = {},
): void {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: options.compress ?? true,
    info: {
      Title: pdfText(doc.pact.title),
      Author: pdfText(doc.promoter),
      Subject: `Patto rev. ${doc.pact.revision}`,
      // The hash in the metadata too: checkable without reading the pages.
      Keywords: `revision ${doc.pact.revision} sha256 ${doc.pact.revision_hash}`,
    },
  });
  pdf.pipe(out);
  const text = (s: string, o: PDFKit.Mixins.TextOptions = {}) => pdf.text(pdfText(s), o);
  const h = (s: string, size = 13) => {
    pdf.moveDown(0.6).font('Helvetica-Bold').fontSize(size);
    text(s);
    pdf.font('Helvetica').fontSize(10).moveDown(0.2);
  };

  pdf.font('Helvetica-Bold').fontSize(18);
  text(doc.pact.title);
  pdf.font('Helvetica').fontSize(10).moveDown(0.3);
  text(t('negotiation.document.status', { status: t(`pacts.status.${doc.pact.status}`) }));
  text(`${t('pacts.fields.territory')}: ${doc.territory}`);
  text(`${t('pacts.fields.campaign')}: ${doc.campaign}`);
  text(`${t('pacts.fields.promoter')}: ${doc.promoter}`);
  text(`${t('pacts.fields.callId')}: ${doc.call ? doc.call.title : t('pacts.show.noCall')}`);
  if (doc.call)
    text(
      t('negotiation.document.unitCosts', {
        course: fmt.money(doc.call.courseHourCents),
        participant: fmt.money(doc.call.participantHourCents),
      }),
    );
  if (doc.pact.summary) {
    pdf.moveDown(0.4);
    text(doc.pact.summary);
  }

  h(t('pacts.show.actions'));
  doc.actions.forEach((a) => {
    pdf.font('Helvetica-Bold');
    text(`${a.position}. ${a.title}`);
    pdf.font('Helvetica');
    if (a.description) text(a.description);
    text(
      [
        t('pacts.show.actionLine', {
          participants: a.participants,
          hours: a.hours,
          eqf: a.eqf_level,
          period: a.period,
        }),
        t(`pacts.modality.${a.modality}`),
        a.provider ?? '',
        `${t('pacts.fields.skills')}: ${a.skills.join(', ')}`,
        a.cost_cents !== null
          ? `${t('negotiation.document.cost')}: ${fmt.money(a.cost_cents)}`
          : '',
      ]
        .filter(Boolean)
        .join(' · '),
    );
    pdf.moveDown(0.4);
  });
  if (doc.actions.length === 0) text(t('pacts.show.noActions'));
  pdf.font('Helvetica-Bold');
  text(
    t('negotiation.document.totals', {
      participants: doc.totals.participants,
      hours: doc.totals.hours,
      cost: doc.totals.costCents === null ? '—' : fmt.money(doc.totals.costCents),
    }),
  );
  pdf.font('Helvetica');

  h(t('negotiation.document.signatures'));
  doc.signatories.forEach((s) => {
    const state = s.signedCurrent
      ? t('negotiation.document.signedOn', {
          revision: s.latest!.revision,
          date: fmt.date(s.latest!.signed_at),
          signer: s.latest!.signer,
        })
      : s.superseded
        ? t('negotiation.sign.superseded', { revision: s.latest!.revision })
        : t('negotiation.sign.notSigned');
    text(
      `${s.name}${s.partner_type ? ` (${t(`pacts.partnerType.${s.partner_type}`)})` : ''}: ${state}`,
    );
  });
  if (doc.signatories.length === 0) text(t('pacts.show.noSignatories'));

  h(t('negotiation.document.integrity'), 11);
  text(
    t('negotiation.document.revisionLine', {
      revision: doc.pact.revision,
      date: fmt.date(doc.revisionDate),
    }),
  );
  pdf.font('Courier').fontSize(9);
  text(doc.pact.revision_hash);
  pdf.font('Helvetica').fontSize(9).moveDown(0.5);
  text(t('negotiation.document.generated', { date: fmt.date(doc.generatedAt) }));
  pdf.end();
}
