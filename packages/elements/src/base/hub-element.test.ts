/// <reference types="mocha" />
import { ContextProvider } from '@lit/context';
import { HubClient } from '@teacher-hub/core';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { hubClientContext } from '../context/hub-client-context.ts';
import { devToken, hubServer, lmsTokenUrl } from '../testing/hub-test-server.ts';
import { HubElement } from './hub-element.ts';
import { define } from './define.ts';

/** The smallest element on the base class: it renders who it is signed in as. */
class ProbeElement extends HubElement {
  renders = 0;
  override render() {
    this.renders++;
    return '';
  }
}
define('hub-test-probe', ProbeElement);

declare global {
  interface HTMLElementTagNameMap {
    'hub-test-probe': ProbeElement;
  }
}

describe('HubElement', () => {
  it('has no client until it knows the server and a token source', async () => {
    const probe = await fixture<ProbeElement>(html`<hub-test-probe></hub-test-probe>`);
    expect(probe.client).to.equal(undefined);
    probe.server = hubServer();
    await probe.updateComplete;
    expect(probe.client).to.equal(undefined, 'a server alone is not enough');
  });

  it('builds its own client from the server and token attributes', async () => {
    const token = await devToken('t-ada');
    const probe = await fixture<ProbeElement>(
      html`<hub-test-probe server=${hubServer()} token=${token}></hub-test-probe>`,
    );
    const me = await probe.client!.api.me();
    expect(me.user.id).to.equal('t-ada');
  });

  it('builds a new client when a token attribute changes', async () => {
    const probe = await fixture<ProbeElement>(
      html`<hub-test-probe server=${hubServer()} token=${await devToken('t-ada')}></hub-test-probe>`,
    );
    const first = probe.client;
    probe.setAttribute('token', await devToken('t-grace'));
    await probe.updateComplete;
    expect(probe.client).not.to.equal(first);
    expect((await probe.client!.api.me()).user.id).to.equal('t-grace');
  });

  it('gets its token from a host-LMS token-url (JSON or text) with a credentialed fetch', async () => {
    for (const format of ['json', 'text'] as const) {
      const probe = await fixture<ProbeElement>(
        html`<hub-test-probe
          server=${hubServer()}
          token-url=${lmsTokenUrl('t-grace', format)}
        ></hub-test-probe>`,
      );
      expect((await probe.client!.api.me()).user.id).to.equal('t-grace');
    }
  });

  it('shares one client between elements given the same server and token provider', async () => {
    const provider = () => devToken('t-ada');
    const first = await fixture<ProbeElement>(
      html`<hub-test-probe server=${hubServer()} .tokenProvider=${provider}></hub-test-probe>`,
    );
    const second = await fixture<ProbeElement>(
      html`<hub-test-probe server=${hubServer()} .tokenProvider=${provider}></hub-test-probe>`,
    );
    const other = await fixture<ProbeElement>(
      html`<hub-test-probe server=${hubServer()} .tokenProvider=${() => devToken('t-ada')}></hub-test-probe>`,
    );
    expect(first.client).to.equal(second.client);
    expect(other.client).not.to.equal(first.client);
  });

  it('gets its token from the tokenProvider property', async () => {
    const probe = await fixture<ProbeElement>(
      html`<hub-test-probe server=${hubServer()} .tokenProvider=${() => devToken('t-ada')}></hub-test-probe>`,
    );
    expect((await probe.client!.api.me()).user.id).to.equal('t-ada');
  });

  it('uses the client an enclosing provider shares, over its own attributes, and follows it', async () => {
    const shared = new HubClient({ server: hubServer(), token: await devToken('t-grace') });
    const container = await fixture<HTMLDivElement>(html`<div></div>`);
    const provider = new ContextProvider(container, { context: hubClientContext, initialValue: shared });

    const probe = document.createElement('hub-test-probe');
    probe.server = hubServer();
    probe.token = await devToken('t-ada');
    container.append(probe);
    await probe.updateComplete;
    expect(probe.client).to.equal(shared);

    const next = new HubClient({ server: hubServer(), token: await devToken('t-ada') });
    provider.setValue(next);
    await waitUntil(() => probe.client === next, 'the element did not follow the provided client');
  });

  it('prefers a client set on its client property', async () => {
    const explicit = new HubClient({ server: hubServer(), token: 'unused' });
    const probe = await fixture<ProbeElement>(
      html`<hub-test-probe server=${hubServer()} token="other" .client=${explicit}></hub-test-probe>`,
    );
    expect(probe.client).to.equal(explicit);
  });
});
