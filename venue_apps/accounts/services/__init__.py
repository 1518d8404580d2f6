"""State changes of user accounts, one module per topic. Each runs in the schema of the
current connection. Import from the topic's module:

- `sign_in`: signing in with a password (the one service the API, the platform API and
  the dashboards call), with its lockout and limits;
- `sessions`: the API's sessions: issuing a token pair, signing out one session or all;
- `links`: proving an address and resetting a password from an emailed link;
- `users`: creating accounts, changing a password, the owner's staff;
- `two_factor`: authenticator apps, recovery codes and the chain's rule on them;
- `oauth`: customers' sign-in with Google and Facebook, and the chain's OAuth clients.

Reads are in `venue_apps.accounts.selectors`.
"""
