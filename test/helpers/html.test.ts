import { decodeEntities, pageText } from './html';

describe('reading a page as text', () => {
  it('decodes every entity Handlebars writes, once', () => {
    expect(
      decodeEntities('l&#x27;avviso &amp; &lt;b&gt; &quot;q&quot; &#x60;x&#x60; a&#x3D;1'),
    ).toBe('l\'avviso & <b> "q" `x` a=1');
    expect(decodeEntities('&amp;lt; &#39; &#8364; &nbsp;')).toBe("&lt; ' € \u00a0");
    expect(decodeEntities('&unknown; &')).toBe('&unknown; &');
  });

  it('turns tags into spaces, collapses white space and keeps escaped text', () => {
    expect(
      pageText('<main>\n  <h1>Avviso</h1><p>L&#x27;avviso&nbsp;chiude\til <b>31</b>.</p>\n</main>'),
    ).toBe("Avviso L'avviso chiude il 31 .");
    expect(pageText('<td>a &lt;script&gt;</td>')).toBe('a <script>');
  });
});
