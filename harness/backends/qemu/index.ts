/** Public API of the QEMU testbed engine (the runner's `qemu` backend builds on this). */
export { detectAccel, type AccelChoice, type AccelPreference } from './accel.ts';
export { cleanupAllTestbeds, installSignalCleanup, sweepLeftovers } from './cleanup.ts';
export { migrateOnce, type LiveMigration, type MigrationHooks } from './engine.ts';
export { DEFAULT_IMAGE_DIR, buildImage, parseReadyLine, type GuestImage, type ReadyReport } from './image.ts';
export { LINK_PROFILES, type LinkProfile } from './link-profiles.ts';
export { XEN_MAX_FACTOR, XEN_MAX_ITERS, xenPolicyDecision } from './policy.ts';
export { DEBIAN_PACKAGES, checkPrerequisites } from './prereq.ts';
export { guestKernelName, qemuVersion } from './version.ts';
export type {
  Accel,
  BandwidthPoint,
  CpuPoint,
  MigrationPolicy,
  QemuMigrationMeasurement,
  QemuMigrationRequest,
  SystemName,
} from './types.ts';
