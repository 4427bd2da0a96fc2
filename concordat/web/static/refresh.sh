#!/usr/bin/env bash
# Refreshes the vendored NHS.UK frontend from the npm registry (run by hand, never at run time):
#   concordat/web/static/refresh.sh 10.6.1
# Node's npm is needed only here. The compiled CSS asks for the Frutiger webfont from the NHS's
# font server; the @font-face rules are removed so that no page makes a request off this machine
# (the stylesheet falls back to Arial, as it does wherever the font is blocked).
set -euo pipefail
version="${1:?usage: refresh.sh VERSION (e.g. 10.6.1)}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "nhsuk-frontend@$version" >/dev/null && tar xzf nhsuk-frontend-*.tgz)
dist="$work/package/dist/nhsuk"
sed -E -e 's/@font-face\{[^}]*\}//g' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
    "$dist/nhsuk-frontend.min.css" > "$here/nhsuk-frontend.min.css"
sed -E -e 's#//\# sourceMappingURL=.*$##' "$dist/nhsuk-frontend.min.js" > "$here/nhsuk-frontend.min.js"
rm -rf "$here/assets" && cp -r "$dist/assets" "$here/assets"
if grep -qE 'https?://' "$here/nhsuk-frontend.min.css"; then
    echo "refresh.sh: the stylesheet still names an external URL; remove it before committing" >&2
    exit 1
fi
echo "$version" > "$here/NHSUK_FRONTEND_VERSION"
echo "nhsuk-frontend $version vendored into $here"
