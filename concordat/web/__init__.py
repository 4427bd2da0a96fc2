"""`concordat-web`: the one door for people and programs, a JSON API under /api/v1 behind
OpenID Connect sign-in."""
