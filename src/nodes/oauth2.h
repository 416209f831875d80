/*
 * OAuth 2 access tokens for the oAuth2Api credential, client-credentials
 * grant (RFC 6749 section 4.4), as n8n's HTTP Request node gets them.
 *
 * The credential's data: grantType "clientCredentials", accessTokenUrl,
 * clientId, clientSecret, scope (space-separated; optional) and
 * authentication: "header" (the default: client id and secret as HTTP
 * basic auth) or "body" (client_id and client_secret in the form body).
 *
 * A token is fetched on first use and kept in this process, keyed by the
 * credential's token URL, client, secret and scope, until its expires_in
 * runs out (a token without expires_in is kept until a server refuses
 * it). The caller asks again with `renew` when a request with the token
 * was answered 401, as n8n does. Tokens are never written to the store.
 *
 * Thread rule: callable from any thread (one mutex guards the cache; a
 * fetch runs outside it, so two threads may both fetch a missing token).
 * Ownership: *token is a new heap string.
 */
#ifndef SL_NODES_OAUTH2_H
#define SL_NODES_OAUTH2_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The access token for `cred` (borrowed credential data) in *token, and
 * 0; or a negative enum sl_err with a one-line message in err[errlen]
 * that never holds the client secret. */
int sl_oauth2_token(const json_t *cred, bool renew, char **token, char *err, size_t errlen);

#endif
