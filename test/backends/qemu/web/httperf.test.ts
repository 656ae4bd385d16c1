import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyLine, httperfArgv, parseHttperfSummary, type HttperfLoad } from '../../../../harness/backends/qemu/web/httperf.ts';

/** Real output of Debian's httperf 0.9.0 against the Fig. 7 guest (captured on the testbed). */
const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../../fixtures/httperf', `${name}.txt`), 'utf8');

describe('httperf summary parser', () => {
  it('reads a clean sequential run', () => {
    const summary = parseHttperfSummary(fixture('sequential'));
    expect(summary).toMatchObject({ connections: 40, requests: 40, replies: 40, durationS: 0.749 });
    expect(summary.status['2xx']).toBe(40);
    expect(summary.errors.total).toBe(0);
    expect(summary.replyRate.samples).toBe(0);
    expect(summary.replyRateSamples).toEqual([]);
  });

  it('reads errors and timeouts of an overloaded run, including connections that never sent a request', () => {
    const summary = parseHttperfSummary(fixture('overload'));
    expect(summary).toMatchObject({ connections: 1200, requests: 704, replies: 480, durationS: 5 });
    expect(summary.requestRatePerS).toBe(140.8);
    expect(summary.errors).toEqual({
      total: 720,
      clientTimeouts: 720,
      socketTimeouts: 0,
      connectionsRefused: 0,
      connectionsReset: 0,
      fdUnavailable: 0,
      addressUnavailable: 0,
      ftabFull: 0,
      other: 0,
    });
  });

  it('reads the --verbose reply-rate samples and ignores the per-call lines around them', () => {
    const summary = parseHttperfSummary(fixture('per-call'));
    expect(summary.replyRateSamples).toEqual([20]);
    expect(summary.replyRate).toEqual({ min: 20, avg: 20, max: 20, stddev: 0, samples: 1 });
    expect(summary).toMatchObject({ connections: 120, replies: 120 });
  });

  it('reads the summary httperf prints when interrupted (SIGINT)', () => {
    const summary = parseHttperfSummary(fixture('interrupted'));
    expect(summary).toMatchObject({ connections: 50, requests: 50, replies: 50, durationS: 2.488 });
  });

  it('says which line is missing when the output is cut short', () => {
    const text = fixture('sequential');
    const cut = text.slice(0, text.indexOf('Errors: total'));
    expect(() => parseHttperfSummary(cut)).toThrow(/no complete 'Errors: total' line/);
    expect(() => parseHttperfSummary('')).toThrow(/no complete 'Total:' line .*\(no output\)/);
  });
});

describe('httperf per-call lines', () => {
  it('classifies sent, replied and body lines with their call ids', () => {
    expect(classifyLine('SS41: header 73 content 0')).toEqual({ kind: 'sent', id: 41 });
    expect(classifyLine('RS41: header 203 content 179 footer 0')).toEqual({ kind: 'replied', id: 41 });
    expect(classifyLine('RB41:<!doctype html>')).toEqual({ kind: 'body' });
    expect(classifyLine('reply-rate = 20.0')).toEqual({ kind: 'other', text: 'reply-rate = 20.0' });
  });

  it('pairs every sent call with one reply in a captured run', () => {
    const lines = fixture('per-call').split('\n').map(classifyLine);
    const sent = lines.flatMap((line) => (line.kind === 'sent' ? [line.id] : []));
    const replied = lines.flatMap((line) => (line.kind === 'replied' ? [line.id] : []));
    expect(sent).toHaveLength(120);
    expect(new Set(sent)).toEqual(new Set(replied));
  });
});

describe('httperf command line', () => {
  const load: HttperfLoad = { server: '10.77.0.10', port: 80, uri: '/index.html', ratePerS: 56.8, connections: 600, timeoutS: 5, perCall: true };

  it('runs niced and line-buffered, with a rate, a bound and per-call lines', () => {
    const argv = httperfArgv(load);
    expect(argv.slice(0, 6)).toEqual(['nice', '-n', '10', 'stdbuf', '-oL', 'httperf']);
    const text = argv.join(' ');
    expect(text).toContain('--rate 56.8');
    expect(text).toContain('--num-conns 600 --num-calls 1 --timeout 5');
    expect(text).toContain('--verbose --print-request=body --print-reply=body');
  });

  it('leaves --rate out for sequential requests and per-call lines out when not wanted', () => {
    const text = httperfArgv({ ...load, ratePerS: 0, perCall: false }).join(' ');
    expect(text).not.toContain('--rate');
    expect(text).not.toContain('--print');
  });

  it('rejects loads httperf would misread', () => {
    expect(() => httperfArgv({ ...load, connections: 0 })).toThrow(/connections >= 1/);
    expect(() => httperfArgv({ ...load, connections: 2.5 })).toThrow(/whole number/);
    expect(() => httperfArgv({ ...load, ratePerS: -1 })).toThrow(/rate must be >= 0/);
    expect(() => httperfArgv({ ...load, timeoutS: 0 })).toThrow(/timeout must be > 0/);
  });
});
