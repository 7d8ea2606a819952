import { classifySendError } from '../../src/modules/notifications/smtp-errors';

describe('classifySendError', () => {
  it('retries only when the message provably did not leave', () => {
    expect(
      classifySendError({ code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }),
    ).toBe('retry');
    expect(classifySendError({ code: 'EDNS' })).toBe('retry');
    expect(classifySendError({ code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' })).toBe('retry');
    expect(classifySendError({ code: 'EAUTH', responseCode: 535, permanent: true })).toBe('retry');
    expect(classifySendError({ code: 'EMESSAGE', responseCode: 451, permanent: false })).toBe(
      'retry',
    );
  });

  it('fails a permanent rejection and a message nodemailer refused to send', () => {
    expect(classifySendError({ code: 'EENVELOPE', responseCode: 550, permanent: true })).toBe(
      'failed',
    );
    expect(classifySendError({ code: 'EENVELOPE' })).toBe('failed');
  });

  it('calls anything after the connection was up, with no reply, uncertain', () => {
    expect(classifySendError({ code: 'ECONNECTION', command: 'CONN' })).toBe('uncertain');
    expect(classifySendError({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' })).toBe(
      'uncertain',
    );
    expect(classifySendError({ code: 'ESOCKET', originalCode: 'ECONNRESET' })).toBe('uncertain');
    expect(classifySendError(new Error('something else'))).toBe('uncertain');
    expect(classifySendError(undefined)).toBe('uncertain');
  });
});
