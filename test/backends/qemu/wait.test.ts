import { describe, expect, it } from 'vitest';
import { AbortedError, TimeoutError, throwIfAborted } from '../../../harness/backends/qemu/errors.ts';
import { pause, pollUntil } from '../../../harness/backends/qemu/wait.ts';

const never = (): undefined => undefined;

describe('typed wait errors', () => {
  it('are Errors whose class, not message, tells timeout from abort', () => {
    const timeout = new TimeoutError('timed out after 5 ms waiting for x');
    const aborted = new AbortedError('migration aborted');
    expect(timeout).toBeInstanceOf(Error);
    expect(timeout.name).toBe('TimeoutError');
    expect(aborted.name).toBe('AbortedError');
    expect(timeout).not.toBeInstanceOf(AbortedError);
    expect(() => throwIfAborted(AbortSignal.abort(), 'stopped')).toThrow(new AbortedError('stopped'));
    expect(() => throwIfAborted(new AbortController().signal, 'stopped')).not.toThrow();
    expect(() => throwIfAborted(undefined, 'stopped')).not.toThrow();
  });
});

describe('pollUntil', () => {
  it('returns the first value the probe gives, probing again after each interval', async () => {
    let calls = 0;
    const value = await pollUntil(() => (++calls === 3 ? 'ready' : undefined), { timeoutMs: 60_000, intervalMs: 1, timeoutMessage: () => 'late' });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('accepts an asynchronous probe', async () => {
    expect(await pollUntil(async () => 42, { timeoutMs: 60_000, timeoutMessage: () => 'late' })).toBe(42);
  });

  it('ends with a TimeoutError carrying the message of the last state', async () => {
    let seen = 0;
    const wait = pollUntil(() => void seen++, { timeoutMs: 10, intervalMs: 1, timeoutMessage: () => `nothing after ${seen > 0 ? 'some' : 'no'} probes` });
    await expect(wait).rejects.toBeInstanceOf(TimeoutError);
    await expect(wait).rejects.toThrow('nothing after some probes');
  });

  it('ends with an AbortedError on abort, before probing when already aborted', async () => {
    let calls = 0;
    const probe = () => void calls++;
    await expect(pollUntil(probe, { timeoutMs: 60_000, signal: AbortSignal.abort(), abortMessage: 'gave up', timeoutMessage: () => 'late' })).rejects.toThrow(
      new AbortedError('gave up'),
    );
    expect(calls).toBe(0);
    const controller = new AbortController();
    const wait = pollUntil(() => {
      controller.abort();
      return undefined;
    }, { timeoutMs: 60_000, intervalMs: 60_000, signal: controller.signal, timeoutMessage: () => 'late' });
    await expect(wait).rejects.toBeInstanceOf(AbortedError);
  });

  it('ends with the failure promise\'s own error, also in the middle of a long interval', async () => {
    let fail!: (error: Error) => void;
    const failure = new Promise<never>((_, reject) => (fail = reject));
    const wait = pollUntil(never, { timeoutMs: 60_000, intervalMs: 60_000, failure, timeoutMessage: () => 'late' });
    fail(new Error('QEMU exited with status 1'));
    await expect(wait).rejects.toThrow('QEMU exited with status 1');
  });

  it('passes on what the probe throws', async () => {
    const wait = pollUntil(() => {
      throw new Error('guest failed: Kernel panic');
    }, { timeoutMs: 60_000, timeoutMessage: () => 'late' });
    await expect(wait).rejects.toThrow('guest failed: Kernel panic');
  });
});

describe('pause', () => {
  it('resolves after its time when nothing stops it', async () => {
    await expect(pause(1)).resolves.toBeUndefined();
    await expect(pause(-5)).resolves.toBeUndefined();
  });

  it('ends early with an AbortedError or the failure\'s error', async () => {
    const controller = new AbortController();
    const aborted = pause(60_000, { signal: controller.signal, abortMessage: 'migration aborted' });
    controller.abort();
    await expect(aborted).rejects.toThrow(new AbortedError('migration aborted'));
    const failed = pause(60_000, { failure: Promise.reject(new Error('httperf finished early')) });
    await expect(failed).rejects.toThrow('httperf finished early');
  });
});
