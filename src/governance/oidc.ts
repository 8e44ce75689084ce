import * as client from 'openid-client';

export interface OidcSettings {
  /** Issuer URL (discovery at <issuer>/.well-known/openid-configuration). */
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Where the provider sends the browser back: <public URL>/api/auth/oidc/callback. */
  redirectUri: string;
  /** Scopes asked for; `openid email profile` by default. */
  scope?: string;
}

export interface OidcStart {
  url: URL;
  state: string;
  codeVerifier: string;
  nonce: string;
}

export interface OidcIdentity {
  issuer: string;
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
}

export interface OidcClient {
  readonly issuer: string;
  /** Builds the authorisation request (code flow with PKCE S256, state and nonce). */
  start(): Promise<OidcStart>;
  /** Exchanges the code of the callback's query and returns the verified identity. */
  finish(
    query: URLSearchParams,
    checks: { state: string; codeVerifier: string; nonce: string },
  ): Promise<OidcIdentity>;
}

/** An OIDC relying party built on `openid-client`; discovery happens on first use and is retried on failure. */
export function createOidcClient(s: OidcSettings): OidcClient {
  let configuration: Promise<client.Configuration> | undefined;
  const config = () => {
    configuration ??= client
      .discovery(
        new URL(s.issuer),
        s.clientId,
        s.clientSecret,
        undefined,
        // Plain HTTP only for a provider on the local machine (development, tests).
        new URL(s.issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((err) => {
        configuration = undefined;
        throw err;
      });
    return configuration;
  };
  return {
    issuer: s.issuer,
    async start() {
      const c = await config();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: s.redirectUri,
        scope: s.scope ?? 'openid email profile',
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url, state, codeVerifier, nonce };
    },
    async finish(query, checks) {
      const c = await config();
      // The callback as the provider saw it: the registered redirect URI with the answer's parameters.
      const callbackUrl = new URL(s.redirectUri);
      callbackUrl.search = query.toString();
      const tokens = await client.authorizationCodeGrant(c, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('the provider returned no ID token');
      let email = typeof claims.email === 'string' ? claims.email : undefined;
      let emailVerified = claims.email_verified === true;
      let name = typeof claims.name === 'string' ? claims.name : undefined;
      if (!email) {
        const info = await client.fetchUserInfo(c, tokens.access_token, claims.sub);
        if (typeof info.email === 'string') email = info.email;
        emailVerified = info.email_verified === true;
        if (!name && typeof info.name === 'string') name = info.name;
      }
      return { issuer: c.serverMetadata().issuer, subject: claims.sub, email, emailVerified, name };
    },
  };
}
