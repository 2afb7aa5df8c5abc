package dev.mpserver.master.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerLauncherTest
{
    @TempDir
    Path lib;

    @Test
    void archiveTrainedWithTheWorkersClassPathIsPassed() throws Exception
    {
        final String classPath = classPathWithMasterJar();
        Files.writeString(lib.resolve("worker.jsa"), "archive");
        Files.writeString(lib.resolve("worker.jsa.classpath"), classPath);
        final List<String> options = WorkerLauncher.classDataSharingOptions(classPath);
        assertEquals("-XX:SharedArchiveFile=" + lib.resolve("worker.jsa"), options.get(0));
        assertTrue(options.contains("-Xlog:cds=off"), "a JVM that refuses the archive must stay quiet: " + options);
    }

    @Test
    void archiveTrainedWithAnotherClassPathIsNotPassed() throws Exception
    {
        final String classPath = classPathWithMasterJar();
        Files.writeString(lib.resolve("worker.jsa"), "archive");
        Files.writeString(lib.resolve("worker.jsa.classpath"), classPath + File.pathSeparator + lib.resolve("extra.jar"));
        assertEquals(List.of(), WorkerLauncher.classDataSharingOptions(classPath));
    }

    @Test
    void noArchiveNoOptions() throws Exception
    {
        assertEquals(List.of(), WorkerLauncher.classDataSharingOptions(classPathWithMasterJar()));
        assertEquals(List.of(), WorkerLauncher.classDataSharingOptions("target/classes"));
    }

    @Test
    void unpackedNativeStubOfThisPlatformIsPassedAndNoneElse() throws Exception
    {
        final String classPath = classPathWithMasterJar();
        assertEquals(List.of(), WorkerLauncher.nativeStubOptions(classPath, "x86_64-Linux"));
        final Path stubs = Files.createDirectories(lib.resolve("jni").resolve("x86_64-Linux"));
        assertEquals(List.of("-Djffi.boot.library.path=" + stubs), WorkerLauncher.nativeStubOptions(classPath, "x86_64-Linux"));
        assertEquals(List.of(), WorkerLauncher.nativeStubOptions(classPath, "aarch64-Linux"));
        assertEquals(List.of(), WorkerLauncher.nativeStubOptions("target/classes", "x86_64-Linux"));
    }

    @Test
    void classPathIsMadeAbsoluteAndNormal()
    {
        final String absolute = WorkerLauncher.absolute("a.jar" + File.pathSeparator + "/x/../y/b.jar" + File.pathSeparator);
        final String[] entries = absolute.split(File.pathSeparator);
        assertEquals(2, entries.length);
        assertEquals(Path.of("a.jar").toAbsolutePath().normalize().toString(), entries[0]);
        assertEquals("/y/b.jar", entries[1]);
    }

    private String classPathWithMasterJar() throws Exception
    {
        final Path jar = Files.writeString(lib.resolve("mpserver-master.jar"), "jar");
        return lib.resolve("agrona.jar") + File.pathSeparator + jar;
    }
}
