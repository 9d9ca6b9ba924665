// The daemon's pid file: refuses to start while another berthd holds it (its pid alive and its
// /proc/<pid>/cmdline a berthd's), else takes it over.
import { readFile, writeFile } from 'node:fs/promises';
import { isErrno } from '../common/index.ts';

export async function claimPidfile(path: string): Promise<void> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    if (pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmdline.includes('berthd')) throw new Error(`pid file found, ensure berthd is not running or delete ${path}`);
      } catch (err) {
        if (!isErrno(err, 'ESRCH') && !(err as Error).message.startsWith('pid file')) throw err;
        if ((err as Error).message.startsWith('pid file')) throw err;
      }
    }
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  await writeFile(path, `${process.pid}`);
}
