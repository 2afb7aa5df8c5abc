package dev.mpserver.loadgen.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Issue 14's measurement as a case of the suite: {@link RtmpBench}, ffmpeg players on mpserver and nginx-rtmp. */
final class RtmpCase implements BenchCase
{
    @Override
    public void run(final BenchContext ctx) throws Exception
    {
        final Map<String, Object> figures = new LinkedHashMap<>();
        new RtmpBench(ctx.repo, ctx.workDir, ctx.javas.get(0), ctx.repeat, ctx.out, figures).run();
        for (final Map.Entry<String, Object> figure : figures.entrySet())
        {
            if (figure.getValue() instanceof Number number)
            {
                ctx.results.put(figure.getKey(), number.doubleValue());
            }
        }
    }
}
