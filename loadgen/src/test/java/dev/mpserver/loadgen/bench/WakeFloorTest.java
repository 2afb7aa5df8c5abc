package dev.mpserver.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wake-up chain ({@code scripts/reference/wake_chain.c}) as the bench builds and runs it: real
 * processes, a real master asleep in sigsuspend woken by its channel's RT signal. Skipped where
 * there is no C compiler, as the bench skips it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WakeFloorTest
{
    @TempDir
    static Path work;
    private static NativePeers peers;

    @BeforeAll
    static void compile() throws Exception
    {
        peers = NativePeers.compile(Path.of("..").toAbsolutePath().normalize(), work);
    }

    @Test
    void everyRoundTripOfBothShapesComesBackAndTheRoutedOneTypicallyTakesLonger() throws Exception
    {
        assertRoutedTakesLonger(WakeFloor.ANY_CPU);
    }

    @Test
    void theChainRunsWithEveryProcessOnOneCpu() throws Exception
    {
        assertRoutedTakesLonger(WakeFloor.ONE_CPU);
    }

    @Test
    void aCpuThatIsNotThereExitsTwo() throws Exception
    {
        assumeTrue(null != peers.wakeChain(), "no C compiler: " + peers.missing());
        final String output = runExpectingTwo(List.of(peers.wakeChain().toString(), "--cpu", "1023"));
        assertTrue(output.contains("--cpu 1023"), output);
    }

    @Test
    void aBadCommandLineExitsTwoAndSaysHowToCallIt() throws Exception
    {
        assumeTrue(null != peers.wakeChain(), "no C compiler: " + peers.missing());
        final String output = runExpectingTwo(List.of(peers.wakeChain().toString(), "--trips", "5"));
        assertTrue(output.contains("--trips 100..1000000"), output);
    }

    private static void assertRoutedTakesLonger(final int cpu) throws Exception
    {
        assumeTrue(null != peers.wakeChain(), "no C compiler: " + peers.missing());
        final WakeFloor floor = WakeFloor.measure(peers.wakeChain(), 0, 500, cpu);
        assertTrue(floor.directP99Ms >= floor.directP50Ms && floor.directP50Ms > 0, "a direct p50 and p99");
        assertTrue(floor.routedP99Ms >= floor.routedP50Ms && floor.routedP50Ms > 0, "a routed p50 and p99");
        // Two more processes and a signal on the way: the chain's typical round trip cannot be quicker.
        // Its p99 can, now and then: one descheduling of a direct round trip on a busy machine (CI saw
        // routed 0.069 ms against direct 0.076), so the medians are compared.
        assertTrue(floor.routedP50Ms > floor.directP50Ms, "routed p50 " + floor.routedP50Ms + " ms, direct " + floor.directP50Ms + " ms");
    }

    private static String runExpectingTwo(final List<String> command) throws Exception
    {
        final Process process = new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .start();
        final String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        return output;
    }
}
