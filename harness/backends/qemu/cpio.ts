/**
 * A minimal writer for the cpio "newc" format the Linux kernel unpacks as an
 * initramfs. Pure: entries in, bytes out. Device nodes are written as archive
 * entries, so building an image needs no mknod privilege and no `cpio` tool.
 */

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function pad4(length: number): number {
  return (4 - (length % 4)) % 4;
}

function header(fields: {
  ino: number;
  mode: number;
  fileSize: number;
  rdevMajor: number;
  rdevMinor: number;
  nameSize: number;
}): string {
  return (
    '070701' +
    hex8(fields.ino) +
    hex8(fields.mode) +
    hex8(0) + // uid
    hex8(0) + // gid
    hex8(1) + // nlink
    hex8(0) + // mtime: fixed, so the archive is reproducible
    hex8(fields.fileSize) +
    hex8(0) + // devmajor
    hex8(0) + // devminor
    hex8(fields.rdevMajor) +
    hex8(fields.rdevMinor) +
    hex8(fields.nameSize) +
    hex8(0) // check
  );
}

function record(ino: number, name: string, mode: number, data: Uint8Array, rdev: [number, number]): Buffer {
  const nameBytes = Buffer.from(name + '\0', 'utf8');
  const head = Buffer.from(
    header({ ino, mode, fileSize: data.length, rdevMajor: rdev[0], rdevMinor: rdev[1], nameSize: nameBytes.length }),
    'ascii',
  );
  const afterName = head.length + nameBytes.length;
  return Buffer.concat([
    head,
    nameBytes,
    Buffer.alloc(pad4(afterName)),
    Buffer.from(data),
    Buffer.alloc(pad4(data.length)),
  ]);
}

/** Serialises entries (in order) plus the trailer into one newc archive. */
export function buildCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const entry of entries) {
    const name = entry.path.replace(/^\/+/, '');
    switch (entry.kind) {
      case 'dir':
        parts.push(record(ino++, name, S_IFDIR | (entry.mode ?? 0o755), new Uint8Array(), [0, 0]));
        break;
      case 'file':
        parts.push(record(ino++, name, S_IFREG | (entry.mode ?? 0o644), entry.data, [0, 0]));
        break;
      case 'symlink':
        parts.push(record(ino++, name, S_IFLNK | 0o777, Buffer.from(entry.target, 'utf8'), [0, 0]));
        break;
      case 'chardev':
        parts.push(record(ino++, name, S_IFCHR | (entry.mode ?? 0o600), new Uint8Array(), [entry.major, entry.minor]));
        break;
    }
  }
  parts.push(record(0, 'TRAILER!!!', 0, new Uint8Array(), [0, 0]));
  return Buffer.concat(parts);
}
