package dev.mpserver.master.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
    void archiveMadeForThisJdkAndClassPathIsPassed() throws Exception
    {
        final String classPath = classPathWithMasterJar("mpserver-master.jar");
        Files.writeString(lib.resolve(CdsArchive.ARCHIVE), "archive");
        Files.writeString(lib.resolve(CdsArchive.KEY), CdsArchive.keyOf(classPath));
        final List<String> options = archive(classPath).workerOptions();
        assertEquals("-XX:SharedArchiveFile=" + lib.resolve("worker.jsa"), options.get(0));
        assertTrue(options.contains("-Xlog:cds=off"), "a JVM that refuses the archive must stay quiet: " + options);
    }

    @Test
    void archiveMadeForAnotherClassPathOrJdkIsNotPassed() throws Exception
    {
        final String classPath = classPathWithMasterJar("mpserver-master.jar");
        Files.writeString(lib.resolve(CdsArchive.ARCHIVE), "archive");
        Files.writeString(lib.resolve(CdsArchive.KEY), CdsArchive.keyOf(classPath + File.pathSeparator + lib.resolve("extra.jar")));
        assertEquals(List.of(), archive(classPath).workerOptions());
        Files.writeString(lib.resolve(CdsArchive.KEY), CdsArchive.keyOf(classPath).replace("java.vm.version=", "java.vm.version=1"));
        assertEquals(List.of(), archive(classPath).workerOptions(), "another JDK build");
    }

    @Test
    void noArchiveNoOptions() throws Exception
    {
        final String classPath = classPathWithMasterJar("mpserver-master.jar");
        assertEquals(List.of(), archive(classPath).workerOptions());
        assertEquals(List.of(), new CdsArchive(null, "target/classes", CdsArchive.keyOf("target/classes")).workerOptions());
    }

    @Test
    void anArchiveIsMadeOnlyForAWholeClassPathInAWritableLibDirectory() throws Exception
    {
        final String installed = classPathWithMasterJar("mpserver-master-1.2.3.jar");
        assertTrue(archive(installed).canMake(), "the distribution's lib/*");
        final String tests = installed + File.pathSeparator + lib.resolveSibling("test-classes");
        assertFalse(archive(tests).canMake(), "a test's class path is not an installation");
    }

    @Test
    void libDirectoryIsWhereTheMastersJarIs() throws Exception
    {
        assertEquals(lib, ClassPath.libDirectory(classPathWithMasterJar("mpserver-master.jar")));
        assertEquals(lib, ClassPath.libDirectory(lib.resolve("x.jar") + File.pathSeparator + lib.resolve("mpserver-master-0.1.0-SNAPSHOT.jar")));
        assertNull(ClassPath.libDirectory(lib.resolve("mpserver-master-0.1.0-tests.jar").toString()), "the test harness jar");
        assertNull(ClassPath.libDirectory("target/classes"));
    }

    @Test
    void unpackedNativeStubOfThisPlatformIsPassedAndNoneElse() throws Exception
    {
        final String classPath = classPathWithMasterJar("mpserver-master.jar");
        assertEquals(List.of(), WorkerLauncher.nativeStubOptions(classPath, "x86_64-Linux"));
        final Path stubs = Files.createDirectories(lib.resolve("jni").resolve("x86_64-Linux"));
        assertEquals(List.of("-Djffi.boot.library.path=" + stubs), WorkerLauncher.nativeStubOptions(classPath, "x86_64-Linux"));
        assertEquals(List.of(), WorkerLauncher.nativeStubOptions(classPath, "aarch64-Linux"));
        assertEquals(List.of(), WorkerLauncher.nativeStubOptions("target/classes", "x86_64-Linux"));
    }

    @Test
    void classPathIsMadeAbsoluteAndNormal()
    {
        final String absolute = ClassPath.absolute("a.jar" + File.pathSeparator + "/x/../y/b.jar" + File.pathSeparator);
        final String[] entries = absolute.split(File.pathSeparator);
        assertEquals(2, entries.length);
        assertEquals(Path.of("a.jar").toAbsolutePath().normalize().toString(), entries[0]);
        assertEquals("/y/b.jar", entries[1]);
    }

    private CdsArchive archive(final String classPath)
    {
        return new CdsArchive(ClassPath.libDirectory(classPath), classPath, CdsArchive.keyOf(classPath));
    }

    private String classPathWithMasterJar(final String name) throws Exception
    {
        final Path jar = Files.writeString(lib.resolve(name), "jar");
        return lib.resolve("agrona.jar") + File.pathSeparator + jar;
    }
}
