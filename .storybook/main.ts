import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  core: { disableTelemetry: true },
  async viteFinal(viteConfig) {
    // The root vite.config.ts builds the SDK in library mode; the catalogue is an app.
    if (viteConfig.build) delete viteConfig.build.lib;
    return viteConfig;
  },
};

export default config;
