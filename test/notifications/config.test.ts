import { ConfigError, loadConfig } from '../../src/config';

const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/patto-config-test' };

describe('e-mail configuration', () => {
  it('is off without SMTP_URL and has a default sender', () => {
    const config = loadConfig(base);
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.MAIL_FROM).toBe('Patto <no-reply@localhost>');
  });

  it('takes smtp:// and smtps:// URLs', () => {
    for (const url of ['smtp://mail.example.org:587', 'smtps://u:p@mail.example.org:465'])
      expect(loadConfig({ ...base, SMTP_URL: url }).SMTP_URL).toBe(url);
  });

  it('names a bad SMTP_URL without showing it (it may hold a password)', () => {
    expect(() => loadConfig({ ...base, SMTP_URL: 'http://u:secret@x' })).toThrow(ConfigError);
    try {
      loadConfig({ ...base, SMTP_URL: 'http://u:secret@x' });
    } catch (err) {
      expect((err as Error).message).toContain('SMTP_URL: must be an smtp:// or smtps:// URL');
      expect((err as Error).message).not.toContain('secret');
    }
  });

  it('refuses a MAIL_FROM that is not an address or would inject a header', () => {
    expect(() => loadConfig({ ...base, MAIL_FROM: 'Patto' })).toThrow('MAIL_FROM');
    expect(() => loadConfig({ ...base, MAIL_FROM: 'a@b.c\r\nBcc: x@y.z' })).toThrow('MAIL_FROM');
    expect(loadConfig({ ...base, MAIL_FROM: 'Regione <pfl@regione.example>' }).MAIL_FROM).toBe(
      'Regione <pfl@regione.example>',
    );
  });
});
