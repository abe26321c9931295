// Platform matching as containerd does it (platforms.Normalize + the compatibility of variants): a node's
// `linux/arm64` runs `linux/arm64/v8` images, an `arm/v7` node also runs `arm/v6` and `arm/v5` images, and
// an `amd64/v3` node runs plain `amd64` images.

interface Platform { os: string; arch: string; variant: number | null }

function normalise(text: string): Platform {
  const [os = '', rawArch = '', rawVariant] = text.toLowerCase().split('/');
  let arch = rawArch;
  let variant = rawVariant ?? null;
  if (arch === 'aarch64') arch = 'arm64';
  if (arch === 'x86_64' || arch === 'x86-64') arch = 'amd64';
  if (arch === 'armhf') { arch = 'arm'; variant = 'v7'; }
  if (arch === 'armel') { arch = 'arm'; variant = 'v6'; }
  if (arch === 'arm64' && variant === 'v8') variant = null;
  if (arch === 'amd64' && variant === 'v1') variant = null;
  if (arch === 'arm' && variant === null) variant = 'v7';
  const level = variant === null ? null : Number(variant.replace(/^v/, ''));
  return { os, arch, variant: level !== null && Number.isFinite(level) ? level : null };
}

/** True when an image offering `available` can run on a node of platform `required`. */
export function runsOn(required: string, available: string): boolean {
  const node = normalise(required);
  const image = normalise(available);
  if (node.os !== image.os || node.arch !== image.arch) return false;
  if (image.variant === null) return true;
  // A newer variant runs images built for older ones of the same architecture.
  return node.variant !== null && image.variant <= node.variant;
}

export function missingPlatforms(required: string[], available: string[]): string[] {
  return required.filter((r) => !available.some((a) => runsOn(r, a)));
}
