/**
 * Reproduces the numbers in docs/qemu-testbed.md (not part of the runner):
 *   npx tsx harness/backends/qemu/calibrate.ts targets [reps]   boot, zero-copy and xen-nest targets
 *   npx tsx harness/backends/qemu/calibrate.ts zerocopy [reps]  vmbeam only, 128/256/512 MB idle
 *   npx tsx harness/backends/qemu/calibrate.ts ci               one pass over the --scale ci points, timed
 * Prints one JSON line per migration and a summary; needs root.
 */
import { detectAccel } from './accel.ts';
import { installSignalCleanup } from './cleanup.ts';
import { migrateOnce } from './engine.ts';
import { DEFAULT_IMAGE_DIR, parseReadyLine } from './image.ts';
import type { QemuMigrationRequest, SystemName } from './types.ts';

interface Point {
  system: SystemName;
  memoryMb: number;
  dirtyRegionMb: number;
  dirtyPagesPerS: number;
}

interface Row extends Point {
  ok: boolean;
  error?: string;
  bootS?: number;
  filledMb?: number;
  migrationS?: number;
  downtimeS?: number;
  resumedS?: number;
  guestDowntimeS?: number | undefined;
  networkMB?: number;
  iterations?: number;
  cpuS?: number;
  wallS: number;
}

const idle = (system: SystemName, memoryMb: number): Point => ({ system, memoryMb, dirtyRegionMb: 0, dirtyPagesPerS: 0 });

function ciPoints(): Point[] {
  const systems: SystemName[] = ['vmbeam', 'xen-nest', 'xen-blanket', 'xen-nest-nocipher', 'xen-blanket-nocipher', 'physical'];
  const fig2 = systems.flatMap((system) => [128, 256, 512].map((memoryMb) => idle(system, memoryMb)));
  const fig6 = (['vmbeam', 'xen-nest', 'xen-blanket'] as const).flatMap((system) =>
    [0, 2000, 8000].map((dirtyPagesPerS) => ({ system, memoryMb: 512, dirtyRegionMb: 256, dirtyPagesPerS })),
  );
  return [...fig2, ...fig6];
}

function targetPoints(reps: number, systems: readonly SystemName[]): Point[] {
  const points: Point[] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const system of systems) for (const memoryMb of [128, 256, 512]) points.push(idle(system, memoryMb));
  }
  return points;
}

function stats(values: number[]): string {
  if (values.length === 0) return 'n/a';
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return `mean ${mean.toFixed(3)} sd ${sd.toFixed(3)} min ${Math.min(...values).toFixed(3)} max ${Math.max(...values).toFixed(3)} (n=${values.length})`;
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'targets';
  const reps = Number(process.argv[3] ?? '3');
  installSignalCleanup((signal) => process.exit(signal === 'SIGINT' ? 130 : 143));
  const imageDir = process.env['VMBEAM_QEMU_IMAGE_DIR'] ?? DEFAULT_IMAGE_DIR;
  const accel = (await detectAccel('auto', imageDir)).accel;
  const points =
    mode === 'ci' ? ciPoints() : targetPoints(reps, mode === 'zerocopy' ? ['vmbeam'] : ['vmbeam', 'xen-nest']);
  const rows: Row[] = [];
  const start = performance.now();
  for (const point of points) {
    const request: QemuMigrationRequest = { ...point, policy: 'xen', accel, timeoutMs: 600_000, imageDir };
    const t = performance.now();
    let row: Row;
    try {
      let bootS = Number.NaN;
      let filledMb = Number.NaN;
      const m = await migrateOnce(request, {
        afterCompletion: (context) => {
          bootS = context.bootTimeS;
          filledMb = parseReadyLine(context.readyLine)?.filledMb ?? Number.NaN;
        },
      });
      row = {
        ...point,
        ok: true,
        bootS,
        filledMb,
        migrationS: m.migrationTimeS,
        downtimeS: m.downtimeS,
        resumedS: m.resumedAfterS,
        guestDowntimeS: m.guestDowntimeS,
        networkMB: m.networkBytes / 1024 / 1024,
        iterations: m.iterations,
        cpuS: m.cpuTimeS,
        wallS: (performance.now() - t) / 1000,
      };
    } catch (error) {
      row = { ...point, ok: false, error: error instanceof Error ? error.message : String(error), wallS: (performance.now() - t) / 1000 };
    }
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  const totalS = (performance.now() - start) / 1000;
  console.log(`# accel ${accel}; ${rows.length} migrations in ${totalS.toFixed(1)} s; ${rows.filter((r) => !r.ok).length} failed`);
  const groups = new Map<string, Row[]>();
  for (const row of rows.filter((r) => r.ok)) {
    const key = `${row.system} ${row.memoryMb}MB dirty ${row.dirtyRegionMb}MB@${row.dirtyPagesPerS}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const [key, group] of groups) {
    console.log(`# ${key}`);
    console.log(`#   boot s      ${stats(group.map((r) => r.bootS ?? Number.NaN))}`);
    console.log(`#   migration s ${stats(group.map((r) => r.migrationS ?? Number.NaN))}`);
    console.log(`#   downtime s  ${stats(group.map((r) => r.downtimeS ?? Number.NaN))}`);
    console.log(`#   resumed s   ${stats(group.map((r) => r.resumedS ?? Number.NaN))}`);
    console.log(`#   guest down  ${stats(group.map((r) => r.guestDowntimeS ?? Number.NaN))}`);
    console.log(`#   network MB  ${stats(group.map((r) => r.networkMB ?? Number.NaN))}`);
    console.log(`#   wall s      ${stats(group.map((r) => r.wallS))}`);
    if (group[0]?.system === 'xen-nest' && group[0].dirtyPagesPerS === 0) {
      const ideal = (group[0].memoryMb * 1024 * 1024 * 8) / 100e6;
      const ratios = group.map((r) => (r.migrationS ?? Number.NaN) / ideal);
      console.log(`#   time / (memory / 100 Mbit/s = ${ideal.toFixed(2)} s): ${stats(ratios)}`);
    }
  }
}

await main();
