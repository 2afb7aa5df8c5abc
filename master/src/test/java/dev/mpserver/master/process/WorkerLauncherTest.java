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
        final CdsArchive archive = archive(classPath);
        Files.writeString(archive.path(), "archive");
        Files.writeString(key(archive), CdsArchive.keyOf(classPath));
        final List<String> options = archive.workerOptions();
        assertEquals("-XX:SharedArchiveFile=" + archive.path(), options.get(0));
        assertTrue(archive.path().getFileName().toString().startsWith("worker-" + System.getProperty("java.vm.version")),
            "named after its JDK: " + archive.path());
        assertTrue(options.contains("-Xlog:cds=off"), "a JVM that refuses the archive must stay quiet: " + options);
    }

    @Test
    void archiveMadeForAnotherClassPathOrJdkIsNotPassed() throws Exception
    {
        final String classPath = classPathWithMasterJar("mpserver-master.jar");
        final CdsArchive archive = archive(classPath);
        Files.writeString(archive.path(), "archive");
        Files.writeString(key(archive), CdsArchive.keyOf(classPath + File.pathSeparator + lib.resolve("extra.jar")));
        assertEquals(List.of(), archive.workerOptions());
        Files.writeString(key(archive), CdsArchive.keyOf(classPath).replace("java.vm.version=", "java.vm.version=1"));
        assertEquals(List.of(), archive.workerOptions(), "another JDK build");
    }

    @Test
    void eachJdkHasItsOwnArchive()
    {
        final String jdk17 = CdsArchive.archiveName(Path.of("/usr/lib/jvm/java-17-openjdk-amd64"), "17.0.15+6-Debian-1deb12u1");
        final String jdk25 = CdsArchive.archiveName(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64"), "25.0.3+9-LTS");
        assertTrue(jdk17.matches("worker-17\\.0\\.15\\+6-Debian-1deb12u1-[0-9a-f]{8}\\.jsa"), jdk17);
        assertTrue(jdk25.startsWith("worker-25.0.3+9-LTS-"), jdk25);
        assertFalse(jdk17.equals(CdsArchive.archiveName(Path.of("/opt/other-jdk"), "17.0.15+6-Debian-1deb12u1")), "two homes, two names");
        assertEquals("worker-1_2-", CdsArchive.archiveName(Path.of("/j"), "1/2").substring(0, 11), "no path separators in a name");
    }

    @Test
    void workerJvmOptionsThatChooseTheirOwnClassDataKeepOursOut()
    {
        assertTrue(WorkerLauncher.choosesOwnClassData(List.of("-XX:+UseSerialGC", "-XX:AOTCache=/tmp/app.aot")));
        assertTrue(WorkerLauncher.choosesOwnClassData(List.of("-Xshare:off")));
        assertFalse(WorkerLauncher.choosesOwnClassData(List.of("-XX:+UseSerialGC", "-Xss256k")));
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

    private static Path key(final CdsArchive archive)
    {
        return archive.path().resolveSibling(archive.path().getFileName() + CdsArchive.KEY_SUFFIX);
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
