import { setTimeout as sleep } from 'node:timers/promises';
import { WriteQueue } from '../../src/modules/reference/importers/report';

describe('WriteQueue', () => {
  it('keeps at most `depth` writes pending: push waits for the oldest', async () => {
    const queue = new WriteQueue(2);
    const running: number[] = [];
    let most = 0;
    const write = (n: number) => async () => {
      running.push(n);
      most = Math.max(most, running.length);
      await sleep(10);
      running.splice(running.indexOf(n), 1);
    };
    for (let n = 0; n < 6; n++) await queue.push(write(n));
    await queue.drain();
    expect(most).toBe(2);
    expect(running).toEqual([]);
  });

  it('drain throws the first failure', async () => {
    const queue = new WriteQueue(3);
    await queue.push(() => sleep(5));
    await queue.push(() => Promise.reject(new Error('first')));
    await queue.push(() => Promise.reject(new Error('second')));
    await expect(queue.drain()).rejects.toThrow('first');
  });

  it('lets no write run on once an error leaves the guarded body', async () => {
    const queue = new WriteQueue(2);
    let lateWriteFinished = false;
    await expect(
      queue.guard(async () => {
        await queue.push(() => Promise.reject(new Error('write failed')));
        await queue.push(async () => {
          await sleep(30);
          lateWriteFinished = true;
        });
        throw new Error('the file is broken');
      }),
    ).rejects.toThrow('the file is broken');
    // The caller rolls back only now: the queued write has already finished.
    expect(lateWriteFinished).toBe(true);
  });
});
