import { existsSync, readdirSync, readFileSync } from "node:fs";

export const NODE = process.execPath;
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/**
 * True while `pid` names a live process or an unreaped zombie. A zombie still has a
 * `/proc/<pid>` entry (state `Z`), so `false` means the child was both killed and reaped.
 */
export function procExists(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** The state letter of `/proc/<pid>/stat` (`S`, `R`, `Z`…), or null if gone. */
export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return null;
  }
}

/** The pid of a live child of this process whose command line contains `needle`, or 0. */
export function findChild(needle: string): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(needle)) return Number(entry);
    } catch {
      // raced with an exit
    }
  }
  return 0;
}
