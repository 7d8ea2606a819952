import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('LOG_LEVEL');
      expect(message).toContain('DATABASE_URL');
      expect(message).not.toContain('mysql://x');
    }
  });

  it("takes the operator's contacts as an e-mail address or a web page, nothing else", () => {
    const ok = loadConfig({
      OPERATOR_NAME: ' Regione Toscana ',
      OPERATOR_CONTACT: 'privacy@regione.toscana.it',
      DPO_CONTACT: 'https://www.regione.toscana.it/rpd',
    });
    expect(ok).toMatchObject({
      OPERATOR_NAME: 'Regione Toscana',
      OPERATOR_CONTACT: 'privacy@regione.toscana.it',
      DPO_CONTACT: 'https://www.regione.toscana.it/rpd',
    });
    // Left empty in a compose file: unset, not refused.
    expect(loadConfig({ OPERATOR_NAME: '', OPERATOR_CONTACT: ' ' }).OPERATOR_NAME).toBeUndefined();
    expect(() => loadConfig({ OPERATOR_CONTACT: 'call us' })).toThrow(/OPERATOR_CONTACT/);
    expect(() => loadConfig({ DPO_CONTACT: 'javascript:alert(1)' })).toThrow(/DPO_CONTACT/);
    expect(() => loadConfig({ OPERATOR_NAME: 'x'.repeat(201) })).toThrow(/OPERATOR_NAME/);
  });

  it('prepares statements unless DATABASE_PREPARE says false', () => {
    expect(loadConfig({}).DATABASE_PREPARE).toBe(true);
    expect(loadConfig({ DATABASE_PREPARE: 'false' }).DATABASE_PREPARE).toBe(false);
    expect(() => loadConfig({ DATABASE_PREPARE: 'off' })).toThrow(/DATABASE_PREPARE/);
  });

  it('requires SESSION_SECRET and DATABASE_URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /SESSION_SECRET: required in production[\s\S]*DATABASE_URL: required in production/,
    );
  });

  it('refuses to start, naming the variable, when the environment is bad', () => {
    const root = path.resolve(__dirname, '../..');
    const result = spawnSync(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(root, 'src/server.ts')],
      {
        env: { ...process.env, PORT: 'not-a-port', DATABASE_URL: '', TEST_DATABASE_URL: '' },
        encoding: 'utf8',
        timeout: 20000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('"not-a-port"');
  });
});
