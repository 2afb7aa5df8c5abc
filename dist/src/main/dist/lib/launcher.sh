# Sourced by bin/mpserver and bin/loadgen: finds the JDK they run on. Not a command.
#
# JAVA_HOME wins; else the java on PATH. Its version comes from the JDK's 'release' file (no JVM
# start); a JDK without one is asked. Older than 17: one line on stderr and exit status 2.
# Sets JAVA_CMD, and JAVA_OPTS_NATIVE: what JDK 24 and later need to let JNR load its native stub
# and use sun.misc.Unsafe without a warning on every start (older JDKs refuse these options).

find_java() {
    local tool="$1" java home version="" feature
    if [[ -n "${JAVA_HOME:-}" ]]; then
        java="$JAVA_HOME/bin/java"
        if [[ ! -x "$java" ]]; then
            echo "$tool: JAVA_HOME=$JAVA_HOME has no bin/java: point it at a JDK 17 or newer" >&2
            exit 2
        fi
    elif ! java="$(command -v java)"; then
        echo "$tool: no java on PATH and no JAVA_HOME: install a JDK 17 or newer, or set JAVA_HOME" >&2
        exit 2
    fi
    home="$(dirname "$(dirname "$(readlink -f "$java")")")"
    if [[ -r "$home/release" ]]; then
        version="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")"
    fi
    if [[ -z "$version" ]]; then
        version="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
    fi
    feature="${version%%.*}"
    if [[ "$feature" == 1 ]]; then
        feature="$(echo "$version" | cut -d. -f2)" # 1.8.0 is Java 8
    fi
    if ! [[ "$feature" =~ ^[0-9]+$ ]] || (( feature < 17 )); then
        echo "$tool: $java is Java ${version:-of an unknown version}; $tool needs 17 or newer (set JAVA_HOME)" >&2
        exit 2
    fi
    JAVA_CMD="$java"
    JAVA_OPTS_NATIVE=""
    if (( feature >= 24 )); then
        JAVA_OPTS_NATIVE="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
    fi
}
