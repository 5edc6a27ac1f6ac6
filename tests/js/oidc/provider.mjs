// A real OpenID Connect provider (the oidc-provider package) for the single sign-on test.
// Usage: node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI; accounts come from the
// OIDC_ACCOUNTS environment variable: {"<login>": {"email": ..., "email_verified": ...}}.
// Its development login form accepts any password for a login listed there.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || "{}");

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
    id_token_signed_response_alg: "RS256",
  }],
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  async findAccount(ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  cookies: { keys: ["faultline-test-cookie-key"] },
});
provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready http://127.0.0.1:${port}`);
});
