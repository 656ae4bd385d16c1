/**
 * What runs inside the guest, over SSH to `guest.address`: a memory filler
 * and Fig. 6's dirtying workload, both in Perl because Perl is part of every
 * Debian-family base system (perl-base is Essential) and of most others,
 * while a compiler or Python often is not.
 *
 * The paper set dirty-bitmap bits directly at a fixed rate (brief §5,
 * Fig. 6); from inside an unmodified guest the closest equivalent is to
 * write one byte into a page chosen uniformly from the region, paced to the
 * requested pages per second. The program also prints a heartbeat line
 * every HEARTBEAT_MS, which the backend uses to measure the guest's real
 * pause (the largest gap between heartbeats) instead of xl's log times.
 */

export const HEARTBEAT_MS = 20;
export const HEARTBEAT_PREFIX = 'hb ';

/**
 * Touches `mb` MiB once and exits: allocating a string of that size makes
 * the guest kernel hand out and write that many pages, so the image the
 * migration copies is not mostly never-touched memory.
 */
export const FILL_PROGRAM = String.raw`
use strict; use warnings;
my $mb = shift @ARGV;
my $buf = chr(0x5a) x ($mb * 1048576);
print "filled $mb MiB\n";
`;

/**
 * Arguments: region MiB, pages per second (0: heartbeat only), lifetime s.
 * The lifetime bounds the program if the SSH session that started it dies
 * without delivering SIGPIPE (a write to a dead session also ends it).
 */
export const DIRTY_PROGRAM = String.raw`
use strict; use warnings; use Time::HiRes qw(time sleep);
my ($mb, $rate, $lifetime) = @ARGV;
my $page = 4096;
my $pages = int($mb * 1048576 / $page);
my $buf = $pages > 0 ? chr(0) x ($pages * $page) : '';
$| = 1;
my $start = time;
my $written = 0;
my $next_beat = $start;
my $seq = 0;
while (time - $start < $lifetime) {
  my $now = time;
  if ($rate > 0 && $pages > 0) {
    my $due = int(($now - $start) * $rate);
    while ($written < $due) {
      vec($buf, int(rand($pages)) * $page, 8) = $written & 0xff;
      $written++;
    }
  }
  if ($now >= $next_beat) {
    print "${HEARTBEAT_PREFIX}", $seq++, " $written\n";
    $next_beat += ${HEARTBEAT_MS} / 1000;
  }
  sleep(0.002);
}
`;

/** The command (for `ssh guest …`) that fills `mb` MiB. */
export function fillCommand(mb: number): string[] {
  return ['perl', '-e', FILL_PROGRAM, String(mb)];
}

/** The command that dirties `regionMb` at `pagesPerS` and beats for at most `lifetimeS`. */
export function dirtyCommand(regionMb: number, pagesPerS: number, lifetimeS: number): string[] {
  return ['perl', '-e', DIRTY_PROGRAM, String(regionMb), String(pagesPerS), String(Math.ceil(lifetimeS))];
}

/**
 * The guest's pause as its heartbeat saw it: the largest gap between two
 * heartbeats that arrived around the migration's end, less one heartbeat
 * period. Undefined unless heartbeats arrived both before `fromMs` and after
 * `toMs`, so that the pause is bounded on both sides.
 */
export function heartbeatPauseS(arrivalsMs: readonly number[], fromMs: number, toMs: number): number | undefined {
  const sorted = [...arrivalsMs].sort((a, b) => a - b);
  const before = sorted.filter((t) => t <= fromMs).at(-1);
  const after = sorted.find((t) => t >= toMs);
  if (before === undefined || after === undefined) return undefined;
  const window = sorted.filter((t) => t >= before && t <= after);
  let largest = 0;
  for (let i = 1; i < window.length; i++) largest = Math.max(largest, window[i]! - window[i - 1]!);
  return Math.max(0, largest - HEARTBEAT_MS) / 1000;
}
