/* credential.h - a hub's user and password from git's own credential helpers. */
#ifndef RUTA_CREDENTIAL_H
#define RUTA_CREDENTIAL_H

#include <stddef.h>

/* What `git credential fill` gave for one URL: secret, wiped by
 * ruta_cred__done. */
typedef struct ruta_cred {
	char url[2048];
	char user[256];
	char password[1024];
	int filled;
} ruta_cred;

/* Asks `git credential fill` for `url` (with `user` if the URL named one):
 * 0 with c->user and c->password set, or RUTA_ENOTFOUND when git has none
 * (no git, no helper and no terminal to ask on, or a refusal). Helpers and
 * prompts are git's, as configured for this user. */
int ruta_cred__fill(ruta_cred *c, const char *url, const char *user);
/* Tells git's helpers how the hub took the credentials (`approve` when it
 * let us in, `reject` when it refused them, nothing otherwise), then wipes
 * them. accepted: 1 in, 0 refused, -1 not known (a network failure). */
void ruta_cred__done(ruta_cred *c, int accepted);

#endif
