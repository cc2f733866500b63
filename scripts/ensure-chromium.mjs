// Makes sure the browser tests have Debian's Chromium. Installs it with apt when it is missing and we
// are root (as on CI); otherwise says what to do. No test tool may download a browser of its own.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

// Reactions and emoji in messages render as empty boxes without a colour emoji font; the e2e story's
// screenshots are artefacts people look at. Best effort: a missing font never fails the tests.
const EMOJI_FONT = '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf';
if (isRoot && !existsSync(EMOJI_FONT) && !process.env.CHROMIUM_PATH) {
  try {
    execSync('DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji', {
      stdio: 'inherit',
      shell: '/bin/bash',
    });
  } catch {
    console.warn('Could not install fonts-noto-color-emoji; emoji show as boxes in screenshots.');
  }
}

if (existsSync(CHROMIUM_PATH)) process.exit(0);

if (!isRoot) {
  console.error(
    `Chromium is missing at ${CHROMIUM_PATH}. Install Debian's chromium package (sudo apt-get install -y chromium) ` +
      'or set CHROMIUM_PATH to a Chromium binary.',
  );
  process.exit(1);
}
console.log('Installing Debian chromium for the browser tests…');
execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
  stdio: 'inherit',
  shell: '/bin/bash',
});
if (!existsSync(CHROMIUM_PATH)) {
  console.error(`apt-get finished but ${CHROMIUM_PATH} is still missing.`);
  process.exit(1);
}
