import { describe, expect, it } from 'vitest';
import { FAULT_CASES, faultTable, finishedRepetitions, leftoversOf } from '../../harness/commands/faults.ts';

describe('fault injection', () => {
  it('counts the repetitions the progress lines report, failed ones included', () => {
    const stdout = [
      'fig2 vmbeam memory_mb=128: 1 ok, 0.40 s',
      'fig2 xen-nest memory_mb=128: 0 ok, 1 failed (timed out), 5.00 s',
      'wrote 2 migrations of 2 points to /tmp/x',
      'fig4 vmbeam memory_mb=512: 3 ok, 1.10 s',
    ].join('\n');
    expect(finishedRepetitions(stdout)).toBe(5);
    // As a run prints them on a pipe, with the point's count in front.
    expect(finishedRepetitions('[ 1/18] fig2 vmbeam memory_mb=128: 1 ok, 0.40 s | elapsed 0.4 s, ETA 7 s\n[ 2/18] fig2 xen-nest memory_mb=128: 0 ok, 1 failed (x), 5.00 s')).toBe(2);
  });

  it("finds what a run of a process left behind, and nothing of another process's", () => {
    const commandLines = new Map([
      [10, 'qemu-system-x86_64 -object memory-backend-file,mem-path=/dev/shm/vmbeam-42-1'],
      [11, 'sshd -f /tmp/vmbeam-qemu-42-abc/sshd_config'],
      [12, 'qemu-system-x86_64 -object memory-backend-file,mem-path=/dev/shm/vmbeam-420-1'],
    ]);
    const left = leftoversOf(42, ['vmb42r1s', 'vmb420r1s', 'other'], ['vmbeam-42-1', 'vmbeam-420-1'], ['vmbeam-qemu-42-abc', 'x'], commandLines);
    expect(left).toHaveLength(5);
    expect(left.filter((entry) => entry.includes('420'))).toEqual([]);
  });

  it('judges a case by its exit code, the rows it kept and what it left', () => {
    const table = faultTable([
      { name: 'a', what: 'A', exitCode: 130, expected: true, rowsKept: 3, rowsFinished: 3, leftovers: [] },
      { name: 'b', what: 'B', exitCode: 0, expected: false, rowsKept: 3, rowsFinished: 3, leftovers: [] },
      { name: 'c', what: 'C', exitCode: 130, expected: true, rowsKept: 2, rowsFinished: 3, leftovers: [] },
      { name: 'd', what: 'D', exitCode: 130, expected: true, rowsKept: 3, rowsFinished: 3, leftovers: ['netns vmb1r1s'] },
    ]);
    expect(table.split('\n').slice(2).map((line) => line.split(' | ').at(-1))).toEqual(['ok |', 'FAULT |', 'FAULT |', 'FAULT |']);
  });

  it('names every case once', () => {
    const names = FAULT_CASES.map((fault) => fault.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['sigint-boot', 'sighup-pre-copy', 'sigterm-report', 'sigkill-then-fresh-run', 'sigkill-qemu', 'timeout']));
  });
});
