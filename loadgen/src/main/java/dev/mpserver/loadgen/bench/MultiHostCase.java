package dev.mpserver.loadgen.bench;

import java.util.Map;

import dev.mpserver.loadgen.multihost.MultiHostCluster;
import dev.mpserver.loadgen.multihost.MultiHostMeasurement;

/**
 * Issue 18's measurement: loadgen through HAProxy to two namespaced hosts, next to one host
 * directly, and the loss of a host under that load (see {@link MultiHostMeasurement}). Needs root,
 * iproute2 and HAProxy; skipped with the reason otherwise.
 */
final class MultiHostCase implements BenchCase
{
    @Override
    public void run(final BenchContext ctx) throws Exception
    {
        final String missing = MultiHostCluster.unavailableReason();
        if (null != missing)
        {
            ctx.out.println("\nmultihost skipped: " + missing);
            ctx.results.skipped("multihost: " + missing);
            return;
        }
        final Map<String, MultiHostMeasurement.Figures> figures =
            new MultiHostMeasurement(ctx.repo.resolve("master/target/lib") + "/*", ctx.workDir, ctx.repeat).run(ctx.out);
        ctx.out.println();
        MultiHostMeasurement.print(figures, ctx.out);
        for (final Map.Entry<String, Object> figure : MultiHostMeasurement.results(figures).entrySet())
        {
            ctx.results.put(figure.getKey(), ((Number)figure.getValue()).doubleValue());
        }
    }
}
