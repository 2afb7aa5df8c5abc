package dev.mpserver.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** --java 'PATH [JVM options] [-- mpserver options]': what goes to the JVM, what to mpserver. */
class ServerJavaTest
{
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void quotesKeepSpacesInsideAWord()
    {
        assertEquals(List.of("a", "b c", "d e", "f", ""), ServerJava.words(" a 'b c'  \"d e\" f ''"));
        assertThrows(IllegalArgumentException.class, () -> ServerJava.words("a 'b"));
    }

    @Test
    void jvmOptionsGoToTheMasterJvmAndOptionsAfterTwoDashesToMpServer()
    {
        final ServerJava java = ServerJava.parse(JAVA + " -Xshare:auto -- --worker-jvm-opts '-XX:+UseSerialGC -Xss256k' --max-spare 2");

        assertEquals(List.of(JAVA, "-Xshare:auto"), java.command());
        assertEquals(List.of("--worker-jvm-opts", "-XX:+UseSerialGC -Xss256k", "--max-spare", "2"), java.serverOptions());
        assertTrue(java.label().endsWith(" -Xshare:auto -- --worker-jvm-opts -XX:+UseSerialGC -Xss256k --max-spare 2"), java.label());
        assertEquals(List.of(), ServerJava.parse(JAVA).serverOptions());
    }

    @Test
    void anExecutableIsRequired()
    {
        assertThrows(IllegalArgumentException.class, () -> ServerJava.parse("/no/such/java -Xmx1g"));
        assertThrows(IllegalArgumentException.class, () -> ServerJava.parse("   "));
    }
}
