// The mount calls the store makes, behind a small interface so that the store's logic is tested
// without root (a fake) and with it (the Linux adapter).
import { isMountPoint } from '../common/index.ts';
import { MNT_DETACH, UMOUNT_NOFOLLOW, errnoText, mount, umount2 } from './syscalls.linux.ts';

export interface MountAdapter {
  /** mount(2); throws an Error worded as moby/sys/mount's ("mount SRC:TARGET, flags: 0x.., data: ..: errno"). */
  mount(source: string, target: string, fstype: string, flags: number, data: string): void;
  /** umount2(2), lazily (MNT_DETACH) when `detach`; throws an Error "unmount TARGET: errno". */
  unmount(target: string, detach: boolean): void;
  isMountPoint(path: string): Promise<boolean>;
}

export const linuxMounts: MountAdapter = {
  mount(source, target, fstype, flags, data) {
    try {
      mount(source, target, fstype, flags, data);
    } catch (err) {
      let text = `mount ${source ? `${source}:${target}` : target}`;
      if (flags) text += `, flags: 0x${flags.toString(16)}`;
      if (data) text += `, data: ${data}`;
      throw Object.assign(new Error(`${text}: ${errnoText(err)}`), { code: (err as NodeJS.ErrnoException).code });
    }
  },
  unmount(target, detach) {
    try {
      umount2(target, UMOUNT_NOFOLLOW | (detach ? MNT_DETACH : 0));
    } catch (err) {
      throw Object.assign(new Error(`unmount ${target}: ${errnoText(err)}`), { code: (err as NodeJS.ErrnoException).code });
    }
  },
  isMountPoint,
};
