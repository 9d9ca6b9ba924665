// berth: the command line. This is the thin start of the CLI issue: it speaks the Engine API
// over the socket; the docker-compatible commands land with that issue.
import { request } from 'node:http';

const VERSION = '0.1.0';

function host(argv: string[]): string {
  const i = argv.findIndex((a) => a === '-H' || a === '--host');
  const h = i >= 0 ? argv[i + 1] : process.env.BERTH_HOST ?? process.env.DOCKER_HOST ?? 'unix:///run/berth/berth.sock';
  return h;
}

function get(socketPath: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a, i) => !(a === '-H' || a === '--host' || argv[i - 1] === '-H' || argv[i - 1] === '--host'));
  const h = host(argv);
  if (args[0] === '-v' || args[0] === '--version') {
    process.stdout.write(`berth version ${VERSION}\n`);
    return 0;
  }
  if (args[0] === 'version') {
    process.stdout.write(`Client:\n Version:\t${VERSION}\n API version:\t1.50\n\n`);
    if (!h.startsWith('unix://')) return 0;
    try {
      const v = (await get(h.slice(7), '/version')) as { Version: string; ApiVersion: string; MinAPIVersion: string };
      process.stdout.write(`Server:\n Engine:\n  Version:\t${v.Version}\n  API version:\t${v.ApiVersion} (minimum version ${v.MinAPIVersion})\n`);
      return 0;
    } catch {
      process.stderr.write(`Cannot connect to the berth daemon at ${h}. Is the daemon running?\n`);
      return 1;
    }
  }
  process.stderr.write(`berth: '${args[0] ?? ''}' is not implemented in this CLI yet; the docker CLI works against berthd: DOCKER_HOST=${h} docker ${args.join(' ')}\n`);
  return 125;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
