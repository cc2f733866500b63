/// <reference types="vite/client" />
import { setCustomElementsManifest } from '@storybook/web-components-vite';
import type { Preview } from '@storybook/web-components-vite';

// custom-elements.json is generated (`npm run manifest`) and not committed; a glob import lets the
// catalogue build without it, just with thinner docs.
const manifests = import.meta.glob<{ default: unknown }>('../custom-elements.json', { eager: true });
const manifest = Object.values(manifests)[0]?.default;
if (manifest) setCustomElementsManifest(manifest);

const preview: Preview = {
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
    backgrounds: {
      options: {
        light: { name: 'Light', value: '#f1f5f9' },
        dark: { name: 'Dark', value: '#020617' },
      },
    },
  },
  initialGlobals: { backgrounds: { value: 'light' } },
};

export default preview;
