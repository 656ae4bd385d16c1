import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeTestbeds, installSignalCleanup, ownerNamed, registerTeardown, sweepLeftovers } from '../../../harness/backends/qemu/cleanup.ts';

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

describe('sweepLeftovers', () => {
  it('reads the owner pid a command line names through a run file', () => {
    expect(ownerNamed('qemu-system-x86_64 -object memory-backend-file,mem-path=/dev/shm/vmbeam-4242-3,share=on')).toBe(4242);
    expect(ownerNamed('sshd -f /tmp/vmbeam-qemu-77-AbC/sshd_config')).toBe(77);
    expect(ownerNamed('qemu-system-x86_64 -m 128M')).toBeUndefined();
  });

  it('kills the processes of a run whose harness died (a boot or KVM-probe QEMU left by a SIGKILL)', async () => {
    // A pid that was alive and is no longer: the dead harness.
    const dead = spawnSync('true').pid!;
    const orphan = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300_000)', join(tmpdir(), `vmbeam-qemu-${dead}-probe`, 'probe-qmp.sock')], { stdio: 'ignore' });
    const exited = new Promise((resolve) => orphan.once('exit', (_code, signal) => resolve(signal)));
    // Until the child has exec'd node, its command line is not yet the orphan's.
    const named = () => {
      try {
        return readFileSync(`/proc/${orphan.pid}/cmdline`, 'utf8').includes(`vmbeam-qemu-${dead}-`);
      } catch {
        return false;
      }
    };
    while (!named()) await new Promise((resolve) => setTimeout(resolve, 10));
    const removed = sweepLeftovers();
    expect(removed.some((entry) => entry.startsWith(`process ${orphan.pid} `))).toBe(true);
    expect(await exited).toBe('SIGKILL');
  });
});
