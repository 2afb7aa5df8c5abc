package dev.mpserver.loadgen.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Issue 15's measurement as a case of the suite: {@link RtmpLoadBench}, mpserver vs nginx-rtmp under loadgen rtmp. */
final class RtmpLoadCase implements BenchCase
{
    @Override
    public void run(final BenchContext ctx) throws Exception
    {
        final Map<String, Object> figures = new LinkedHashMap<>();
        new RtmpLoadBench(ctx.repo, ctx.workDir, ctx.javas.get(0), ctx.repeat, ctx.out, figures).run();
        for (final Map.Entry<String, Object> figure : figures.entrySet())
        {
            if (figure.getValue() instanceof Number number)
            {
                ctx.results.put(figure.getKey(), number.doubleValue());
            }
        }
    }
}
