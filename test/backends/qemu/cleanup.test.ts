import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { activeTestbeds, installSignalCleanup, registerTeardown } from '../../../harness/backends/qemu/cleanup.ts';

describe('installSignalCleanup', () => {
  const events: string[] = [];
  let uninstall: () => void = () => {};
  const unwind = (): void => {
    events.push('run unwinds');
  };

  beforeEach(() => {
    vi.useFakeTimers();
    events.length = 0;
    registerTeardown(() => events.push('teardown'));
    uninstall = installSignalCleanup((signal) => events.push(`exit on ${signal}`), 10_000);
  });

  afterEach(() => {
    uninstall();
    process.off('SIGINT', unwind);
    vi.useRealTimers();
  });

  it('tears down and exits at once when nothing else will unwind the run', () => {
    process.emit('SIGINT', 'SIGINT');
    expect(events).toEqual(['teardown', 'exit on SIGINT']);
    expect(activeTestbeds()).toBe(0);
  });

  it('gives a run that unwinds itself the grace period, then tears down by force', () => {
    process.once('SIGINT', unwind);
    process.emit('SIGINT', 'SIGINT');
    expect(events).toEqual(['run unwinds']);
    vi.advanceTimersByTime(9_999);
    expect(events).toEqual(['run unwinds']);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['run unwinds', 'teardown', 'exit on SIGINT']);
  });

  it('tears down at once on a second signal', () => {
    process.once('SIGINT', unwind);
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    expect(events).toEqual(['run unwinds', 'teardown', 'exit on SIGINT']);
    vi.advanceTimersByTime(10_000);
    expect(events).toHaveLength(3);
  });
});
