// The skopeo peer of the resolution benchmark: present on this machine, installed with apt when missing
// (Debian's skopeo, as the registry comes from Debian's docker-registry), or skipped with a clear line.
import { spawnSync } from 'node:child_process';
import { say } from './bench-lib.mjs';

const works = () => spawnSync('skopeo', ['--version'], { stdio: 'ignore' }).status === 0;

export function ensureSkopeo() {
  if (works()) return true;
  const root = process.getuid?.() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (root || sudo) {
    say('skopeo is missing: installing it with apt-get (Debian package skopeo) for the side-by-side comparison');
    const apt = (args) => spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['apt-get', ...args], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', 'skopeo']);
    if (works()) return true;
  }
  say('skopeo is not installed and could not be installed here: the skopeo rows are skipped (install it with `apt-get install skopeo` to compare)');
  return false;
}
