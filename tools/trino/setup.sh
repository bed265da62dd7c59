#!/usr/bin/env bash
# Installs the Trino server the Trino suites start into tools/trino/.server (git-ignored): the server
# tarball from Maven Central, unpacked with only the plugins the adapter uses (iceberg, and the password
# file authenticator of the test clusters). Quick and silent when the same version is already there.
set -euo pipefail
cd "$(dirname "$0")"
VERSION=$(cat VERSION)
DEST=.server
# Trino 476 needs Java 24 or later; the machine's default Java stays as it is, only Trino runs on this one.
TRINO_JAVA_HOME=${TRINO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

if [ -f "$DEST/.installed" ] && [ "$(cat "$DEST/.installed")" = "$VERSION" ]; then
  exit 0
fi

if [ ! -x "$TRINO_JAVA_HOME/bin/java" ]; then
  echo "Trino $VERSION needs Java 24 or later: no java in $TRINO_JAVA_HOME (set TRINO_JAVA_HOME to a JDK 24+)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
# Maven fetches the tarball; openssl makes the test clusters' TLS certificates.
for tool in mvn openssl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "$([ "$tool" = mvn ] && echo maven || echo openssl)"
  fi
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mvn -q dependency:copy -Dartifact="io.trino:trino-server:$VERSION:tar.gz" -DoutputDirectory="$WORK"
mkdir -p "$WORK/server"
# Unpacked whole: the plugins share jars as hard links, so one plugin cannot be extracted alone.
tar xzf "$WORK/trino-server-$VERSION.tar.gz" -C "$WORK/server" --strip-components=1
find "$WORK/server/plugin" -mindepth 1 -maxdepth 1 ! -name iceberg ! -name password-authenticators -exec rm -rf {} +
# The iceberg plugin's Hadoop file systems are loaded only for HDFS; the native local file system needs none.
rm -rf "$WORK/server/plugin/iceberg/hdfs" "$WORK/server/bin/darwin-"* "$WORK/server/bin/linux-arm64" "$WORK/server/bin/linux-ppc64le"
echo "$VERSION" > "$WORK/server/.installed"
rm -rf "$DEST"
mv "$WORK/server" "$DEST"
echo "Trino $VERSION installed in tools/trino/$DEST ($(du -sh "$DEST" | cut -f1))"
